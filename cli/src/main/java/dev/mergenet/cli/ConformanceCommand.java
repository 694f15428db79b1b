package dev.mergenet.cli;

import dev.mergenet.core.io.AtomicFiles;
import dev.mergenet.importers.verify.ConformanceRunner;
import dev.mergenet.importers.verify.ConformanceRunner.CaseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `mergenet conformance DIR...`: the ONNX backend test cases through the importer. */
@Command(
        name = "conformance",
        mixinStandardHelpOptions = true,
        description =
                "Run ONNX backend test case folders through the importer and compare with their reference outputs.")
final class ConformanceCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Case folders, or folders of case folders.")
    List<Path> dirs;

    @Option(names = "--atol", defaultValue = "1e-5", description = "Absolute tolerance (default ${DEFAULT-VALUE}).")
    double atol;

    @Option(names = "--rtol", defaultValue = "1e-3", description = "Relative tolerance (default ${DEFAULT-VALUE}).")
    double rtol;

    @Option(names = "--report", paramLabel = "FILE.tsv", description = "Write every case with its status.")
    Path report;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu[:N] (default ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() throws IOException {
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) {
                throw new IllegalArgumentException(d + ": no such folder");
            }
        }
        ConformanceRunner runner = new ConformanceRunner(atol, rtol, Devices.parse(device));
        List<CaseResult> results = runner.runAll(dirs, System.out);
        if (report != null) {
            List<String> lines = new ArrayList<>();
            lines.add("case\tstatus\treason");
            for (CaseResult r : results) {
                lines.add(r.name() + "\t" + r.status().name().toLowerCase() + "\t"
                        + r.reason().replace('\t', ' '));
            }
            AtomicFiles.writeLines(report, lines);
        }
        System.out.println(ConformanceRunner.summary(results));
        return results.stream().anyMatch(r -> r.status() == ConformanceRunner.Status.FAILED) ? 1 : 0;
    }
}
