package dev.mergenet.core.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The index against plain scans of the graph, on random graphs that also break SSA (a value produced twice, a
 * name both an initializer and a Constant's output, a node reading one value twice, empty optional inputs).
 */
class GraphIndexTest {
    private static final List<String> VALUES = List.of("", "a", "b", "c", "d", "e", "f", "g", "h");

    @Test
    void agreesWithScansOfTheGraph() {
        Random random = new Random(20261130);
        for (int trial = 0; trial < 300; trial++) {
            GraphProto g = randomGraph(random);
            GraphIndex idx = new GraphIndex(g);
            for (String v : VALUES) {
                List<Integer> producers = new ArrayList<>();
                List<GraphIndex.Use> uses = new ArrayList<>();
                for (int i = 0; i < g.getNodeCount(); i++) {
                    NodeProto n = g.getNode(i);
                    for (String o : n.getOutputList()) {
                        if (o.equals(v)) {
                            producers.add(i);
                        }
                    }
                    for (int s = 0; s < n.getInputCount(); s++) {
                        if (n.getInput(s).equals(v)) {
                            uses.add(new GraphIndex.Use(i, s));
                        }
                    }
                }
                String at = "trial " + trial + ", value '" + v + "'";
                assertEquals(producers, idx.producers(v), at);
                assertEquals(producers.isEmpty() ? -1 : producers.get(producers.size() - 1), idx.producer(v), at);
                assertEquals(uses, idx.uses(v), at);
                assertEquals(uses.stream().map(GraphIndex.Use::node).toList(), idx.consumers(v), at);
                assertEquals(uses.size(), idx.consumerCount(v), at);
                assertEquals(uses.isEmpty() ? null : g.getNode(uses.get(0).node()), idx.firstConsumer(v), at);
                assertEquals(scannedConstant(g, v), idx.constant(v), at);
                assertEquals(scannedDownstream(g, v), idx.downstream(v), at);
            }
        }
    }

    @Test
    void freshNamesCollideWithNothingInTheGraphNorWithEachOther() {
        GraphProto g = GraphProto.newBuilder()
                .addNode(NodeProto.newBuilder()
                        .setName("w")
                        .setOpType("Relu")
                        .addInput("x")
                        .addOutput("w_1"))
                .addInitializer(TensorProto.newBuilder().setName("w_2"))
                .addInput(ValueInfoProto.newBuilder().setName("x"))
                .addOutput(ValueInfoProto.newBuilder().setName("w_3"))
                .addValueInfo(ValueInfoProto.newBuilder().setName("w_4"))
                .build();
        GraphIndex idx = new GraphIndex(g);
        assertEquals("w_5", idx.fresh("w"));
        assertEquals("w_6", idx.fresh("w"));
        assertEquals("v", idx.fresh("v"));
        assertNotEquals("v", idx.fresh("v"));
    }

    private static GraphProto randomGraph(Random random) {
        GraphProto.Builder g = GraphProto.newBuilder();
        int nodes = random.nextInt(8);
        for (int i = 0; i < nodes; i++) {
            boolean constant = random.nextInt(3) == 0;
            NodeProto.Builder n = NodeProto.newBuilder().setName("n" + i).setOpType(constant ? "Constant" : "Add");
            if (constant) {
                if (random.nextBoolean()) {
                    n.addAttribute(AttributeProto.newBuilder().setName("value").setT(tensor("c" + i)));
                }
            } else {
                for (int k = random.nextInt(4); k > 0; k--) {
                    n.addInput(pick(random));
                }
            }
            for (int k = 1 + random.nextInt(2); k > 0; k--) {
                n.addOutput(pick(random));
            }
            g.addNode(n);
        }
        for (int k = random.nextInt(3); k > 0; k--) {
            g.addInitializer(tensor(pick(random)));
        }
        return g.build();
    }

    private static String pick(Random random) {
        return VALUES.get(random.nextInt(VALUES.size()));
    }

    private static TensorProto tensor(String name) {
        return TensorProto.newBuilder().setName(name).addDims(1).build();
    }

    /** The last initializer of that name, else the value of the last node producing it if that is a Constant. */
    private static TensorProto scannedConstant(GraphProto g, String v) {
        TensorProto found = null;
        for (TensorProto t : g.getInitializerList()) {
            if (t.getName().equals(v)) {
                found = t;
            }
        }
        if (found != null) {
            return found;
        }
        NodeProto last = null;
        for (NodeProto n : g.getNodeList()) {
            if (n.getOutputList().contains(v)) {
                last = n;
            }
        }
        if (last == null || !last.getOpType().equals("Constant")) {
            return null;
        }
        return last.getAttributeList().stream()
                .filter(a -> a.getName().equals("value") && a.hasT())
                .map(AttributeProto::getT)
                .findFirst()
                .orElse(null);
    }

    /** Grows the set by every output of every node reading a value in it, until nothing changes. */
    private static Set<String> scannedDownstream(GraphProto g, String start) {
        Set<String> seen = new HashSet<>(Set.of(start));
        boolean grew = true;
        while (grew) {
            grew = false;
            for (NodeProto n : g.getNodeList()) {
                if (n.getInputList().stream().anyMatch(seen::contains)) {
                    grew |= seen.addAll(n.getOutputList());
                }
            }
        }
        assertFalse(seen.isEmpty());
        return seen;
    }
}
