package dev.mergenet.cli;

import ai.djl.ndarray.NDManager;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.exporters.ExportService;
import dev.mergenet.exporters.OnnxExporter;
import dev.mergenet.exporters.TrainingCheckpoint;
import dev.mergenet.exporters.io.WriteOptions;
import dev.mergenet.exporters.precision.Precision;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `mergenet export MODEL.onnx --out OUT.onnx`: write a model (with trained weights, a new head, fp16) to ONNX. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Write an ONNX model back out: as it is (a round trip), with the trained weights of a"
                + " checkpoint, with a new classifier head, in fp16, or with external data. The input is never"
                + " overwritten; an existing output only with --force.")
final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The original ONNX model.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "OUT.onnx", description = "Where to write the model.")
    Path out;

    @Option(
            names = "--checkpoint",
            paramLabel = "FILE.ckpt",
            description = "Checkpoint written by train or transfer (OUT.onnx.ckpt): its trained weights, head,"
                    + " input shape, class names and lineage.")
    Path checkpoint;

    @Option(
            names = "--embed-preprocessing",
            description = "Put the checkpoint's input adaptation (resize, channel replication, mean/std) into the"
                    + " graph, so the model takes raw images scaled to [0,1].")
    boolean embedPreprocessing;

    @Option(
            names = "--num-classes",
            paramLabel = "N",
            description = "Replace the classifier head with one for N classes.")
    Integer numClasses;

    @Option(names = "--external-data", description = "Keep tensors in OUT.onnx.data beside the model.")
    boolean externalData;

    @Option(
            names = "--precision",
            defaultValue = "fp32",
            paramLabel = "fp32|fp16",
            description = "Weight and compute precision of the output (default ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--force", description = "Overwrite OUT.onnx if it exists (never the input).")
    boolean force;

    @Option(
            names = "--device",
            defaultValue = "cpu",
            description = "cpu or gpu[:N] to load checkpoints on (default ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() {
        Precision p = Precision.parse(precision);
        try (NDManager manager = TorchEngine.newManager(Devices.parse(device))) {
            if (embedPreprocessing && checkpoint == null) {
                throw new IllegalArgumentException("--embed-preprocessing needs --checkpoint (it records the input"
                        + " adaptation the model was trained with)");
            }
            ExportService.Builder req = ExportService.builder(model, out)
                    .precision(p)
                    .write(new WriteOptions(force, externalData, List.of()));
            if (numClasses != null) {
                req.head(new TrainingCheckpoint.HeadEdit(numClasses, OnnxExporter.HEAD_SEED));
            }
            if (checkpoint != null) {
                req.checkpoint(checkpoint, TrainingCheckpoint.read(checkpoint, manager), embedPreprocessing);
            }
            ExportService.Result r = ExportService.export(req.build());
            System.out.println("wrote " + r.file().model() + " (" + r.file().modelBytes() + " bytes"
                    + (r.file().dataFile() != null
                            ? ", data " + r.file().dataFile().getFileName() + " "
                                    + r.file().dataBytes() + " bytes"
                            : "")
                    + "); " + r.changedTensors() + " trained tensor(s) written;"
                    + " lineage: " + r.lineage().operation() + " of "
                    + r.lineage().inputModelSha256());
        }
        return 0;
    }
}
