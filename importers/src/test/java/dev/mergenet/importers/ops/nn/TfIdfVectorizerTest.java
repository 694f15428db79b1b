package dev.mergenet.importers.ops.nn;

import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.ints;
import static dev.mergenet.importers.testing.Models.stringAttr;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;

/** TfIdfVectorizer's IDF and TFIDF modes with weights and trigrams, against ONNX Runtime. */
class TfIdfVectorizerTest {
    private static ModelProto model(String mode) {
        AttributeProto.Builder weights =
                AttributeProto.newBuilder().setName("weights").setType(AttributeProto.AttributeType.FLOATS);
        for (float w : new float[] {0.5f, 2f, 1.5f, 3f, 0.25f, 4f}) {
            weights.addFloats(w);
        }
        GraphProto g = GraphProto.newBuilder()
                .setName("tfidf")
                .addNode(Models.node(
                        "TfIdfVectorizer",
                        new String[] {"x"},
                        new String[] {"y"},
                        stringAttr("mode", mode),
                        intAttr("min_gram_length", 1),
                        intAttr("max_gram_length", 3),
                        intAttr("max_skip_count", 2),
                        ints("ngram_counts", 0, 3, 7),
                        ints("ngram_indexes", 5, 4, 3, 2, 1, 0),
                        ints("pool_int64s", 1, 2, 3, 2, 3, 1, 1, 1, 3, 2),
                        weights.build()))
                .addInput(Models.value("x", TensorProto.DataType.INT32_VALUE, 2, 7))
                .addOutput(Models.value("y", TensorProto.DataType.FLOAT_VALUE))
                .build();
        return Models.model(g, 9);
    }

    @Test
    void allModesMatchOrt() {
        int[] tokens = {1, 2, 3, 1, 1, 2, 3, 2, 3, 1, 3, 1, 2, 2};
        for (String mode : new String[] {"TF", "IDF", "TFIDF"}) {
            OrtCheck.assertMatchesOrt(model(mode), m -> new NDList(m.create(tokens, new Shape(2, 7))), 0, 0);
        }
    }
}
