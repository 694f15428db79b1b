package dev.mergenet.cli;

import dev.mergenet.importers.verify.ModelVerifier;
import dev.mergenet.importers.verify.ModelVerifier.Check;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `mergenet verify MODEL.onnx`: the imported graph against ONNX Runtime (and reference outputs). */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Run the imported graph and ONNX Runtime on the same inputs and compare every output.")
final class VerifyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL.onnx")
    Path model;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder with input_K.pb (and optionally output_K.pb).")
    Path data;

    @Option(names = "--dim", paramLabel = "NAME=VALUE", description = "Value of a symbolic dimension (default 1).")
    Map<String, Long> dims = new LinkedHashMap<>();

    @Option(names = "--shape", paramLabel = "INPUT=D1xD2x...", description = "Whole shape of a random input, e.g. x=1x3x48x192.")
    Map<String, String> shapes = new LinkedHashMap<>();

    @Option(names = "--atol", defaultValue = "1e-4", description = "Absolute tolerance (default ${DEFAULT-VALUE}).")
    double atol;

    @Option(names = "--rtol", defaultValue = "1e-3", description = "Relative tolerance (default ${DEFAULT-VALUE}).")
    double rtol;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random inputs (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu[:N] or auto (default ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() {
        Map<String, long[]> parsed = new LinkedHashMap<>();
        shapes.forEach((name, spec) -> {
            try {
                parsed.put(name, java.util.Arrays.stream(spec.split("[x,]")).mapToLong(Long::parseLong).toArray());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--shape " + name + "=" + spec + ": expected dimensions like 1x3x48x192");
            }
        });
        List<Check> checks = ModelVerifier.verify(model,
                new ModelVerifier.Options(data, dims, parsed, atol, rtol, seed, Devices.parse(device)));
        boolean ok = true;
        for (Check c : checks) {
            ok &= c.result().ok();
            System.out.printf("%-4s %-30s vs %-12s max abs %.3g  max rel %.3g%s%n", c.result().ok() ? "ok" : "FAIL",
                    c.output(), c.reference(), c.result().maxAbs(), c.result().maxRel(),
                    c.result().ok() ? "" : "  " + c.result().reason());
        }
        System.out.println(ok ? "verified: every output within atol " + atol + ", rtol " + rtol
                : "NOT verified: some outputs differ beyond atol " + atol + ", rtol " + rtol);
        return ok ? 0 : 1;
    }
}
