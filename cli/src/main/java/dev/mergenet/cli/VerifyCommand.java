package dev.mergenet.cli;

import ai.djl.Device;
import dev.mergenet.importers.verify.InputShapes;
import dev.mergenet.importers.verify.ModelVerifier;
import dev.mergenet.importers.verify.ModelVerifier.Check;
import dev.mergenet.importers.verify.TensorComparison;
import dev.mergenet.importers.verify.Tolerance;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `mergenet verify MODEL.onnx`: the imported graph against ONNX Runtime, or an export against its original. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = "Run the imported graph and ONNX Runtime on the same inputs and compare every output; with"
                + " --against, run an exported model and its original in ONNX Runtime and compare them. Prints the"
                + " input shapes used. Exits 0 only when every output is finite and within tolerance.")
final class VerifyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL.onnx")
    Path model;

    @Option(
            names = "--against",
            paramLabel = "ORIGINAL.onnx",
            description = "Compare MODEL (an export) with its original, both in ONNX Runtime, on the same inputs.")
    Path against;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder with input_K.pb (and optionally output_K.pb).")
    Path data;

    @Option(
            names = "--dim",
            paramLabel = "NAME=VALUE",
            description = "Value of a symbolic dimension. A symbolic batch (first) dim defaults to 1; other symbolic"
                    + " dims come from here, --shape or the model's own metadata, else verify says which to set.")
    Map<String, Long> dims = new LinkedHashMap<>();

    @Option(
            names = "--shape",
            paramLabel = "INPUT=D1xD2x...",
            description = "Whole shape of a random input, e.g. x=1x3x48x192.")
    Map<String, String> shapes = new LinkedHashMap<>();

    @Option(
            names = "--atol",
            paramLabel = "A",
            description = "Absolute tolerance (default 1e-4; 2e-2 when a model holds float16 tensors). With --against"
                    + " or a float16 model it is a fraction of each output's largest magnitude.")
    Double atol;

    @Option(
            names = "--rtol",
            paramLabel = "R",
            description = "Relative tolerance (default 1e-3; 2e-2 when a model holds float16 tensors).")
    Double rtol;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random inputs (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu[:N] or auto (default ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() {
        Map<String, long[]> parsed = new LinkedHashMap<>();
        shapes.forEach((name, spec) -> {
            try {
                parsed.put(
                        name,
                        java.util.Arrays.stream(spec.split("[x,]"))
                                .mapToLong(Long::parseLong)
                                .toArray());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--shape " + name + "=" + spec + ": expected dimensions like 1x3x48x192");
            }
        });
        dims.forEach((name, value) -> {
            if (value <= 0) {
                throw new IllegalArgumentException("--dim " + name + "=" + value + ": a dimension must be positive");
            }
        });
        ModelVerifier.Options options = new ModelVerifier.Options(
                data, dims, parsed, atol, rtol, seed, against == null ? Devices.parse(device) : Device.cpu());
        ModelVerifier.Report report =
                against == null ? ModelVerifier.run(model, options) : ModelVerifier.against(model, against, options);
        System.out.println("inputs (" + (report.randomInputs() ? "random, seed " + seed : "from " + data) + "):");
        for (InputShapes.Input in : report.inputs()) {
            System.out.println("  " + in.describe());
        }
        Tolerance tol = report.tolerance();
        System.out.println("tolerance: " + tol.describe() + " (" + tol.basis() + ")");
        for (Check c : report.checks()) {
            TensorComparison.Result r = c.result();
            System.out.printf(
                    "%-4s %-30s vs %-14s max abs %.3g  max rel %s  %.3g of tolerance%s%n",
                    r.ok() ? "ok" : "FAIL",
                    c.output(),
                    c.reference(),
                    r.maxAbs(),
                    Double.isNaN(r.maxRel()) ? "-" : String.format("%.3g", r.maxRel()),
                    r.worstRatio(),
                    r.ok() ? "" : "  " + r.detail());
        }
        String what = against == null
                ? "every output"
                : "every output of " + model.getFileName() + " vs " + against.getFileName();
        System.out.println(
                report.ok()
                        ? "verified: " + what + " finite and within " + tol.describe()
                        : "NOT verified: some outputs are non-finite or differ beyond " + tol.describe());
        return report.ok() ? 0 : 1;
    }
}
