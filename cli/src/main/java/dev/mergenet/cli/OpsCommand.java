package dev.mergenet.cli;

import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.ops.OpRegistry;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `mergenet ops`: the op support table, generated from the registry, naming the class that implements each op
 * (docs/conformance.md embeds the Markdown form).
 */
@Command(
        name = "ops",
        mixinStandardHelpOptions = true,
        description = "List every ONNX op the importer converts, with the spec versions (since_version) it "
                + "implements, the versions it does not, and the class that implements it.")
final class OpsCommand implements Callable<Integer> {
    @Option(names = "--markdown", description = "Print a Markdown table.")
    boolean markdown;

    @Override
    public Integer call() {
        List<OpRegistry.Support> rows = OnnxImporter.registry().supportTable();
        if (markdown) {
            System.out.println("| op | domain | since_versions implemented | spec versions not implemented "
                    + "| implemented by |");
            System.out.println("|---|---|---|---|---|");
        }
        for (OpRegistry.Support s : rows) {
            String yes = s.supported().stream().map(String::valueOf).collect(Collectors.joining(", "));
            String no = s.unsupported().stream().map(String::valueOf).collect(Collectors.joining(", "));
            String domain = s.domain().isEmpty() ? "ai.onnx" : s.domain();
            String type = s.implementation() == null ? "-" : s.implementation().getName();
            if (markdown) {
                System.out.println(
                        "| " + s.opType() + " | " + domain + " | " + yes + " | " + no + " | `" + type + "` |");
            } else {
                System.out.printf(
                        "%-28s %-10s %-24s %s%n",
                        s.opType(), domain, yes + (no.isEmpty() ? "" : " (not: " + no + ")"), type);
            }
        }
        long ops = rows.stream().filter(s -> !s.supported().isEmpty()).count();
        System.out.println((markdown ? "\n" : "") + ops + " ops supported");
        return 0;
    }
}
