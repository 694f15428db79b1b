package dev.mergenet.cli;

import dev.mergenet.importers.MergeNetException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The one `mergenet` command; each job is a subcommand. */
@Command(name = "mergenet", mixinStandardHelpOptions = true, version = "MergeNet-J 0.1.0",
        description = "Import ONNX models into trainable DJL graphs, transfer knowledge with MergeNet, export to ONNX.",
        subcommands = {InspectCommand.class, VerifyCommand.class, ConformanceCommand.class, OpsCommand.class,
                ExportCommand.class, TrainCommand.class, TransferCommand.class, PairsCommand.class, DemoCommand.class,
                ExperimentCommand.class, DoctorCommand.class})
public final class MergenetCli implements Runnable {
    @Option(names = "--verbose", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code (user errors: one line on stderr, exit 1). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new MergenetCli());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean verbose = parseResult.matchedOptionValue("--verbose", false)
                    || java.util.Arrays.asList(parseResult.originalArgs()).contains("--verbose");
            if (verbose) {
                ex.printStackTrace();
            }
            String msg = ex instanceof MergeNetException || ex instanceof IllegalArgumentException
                    ? ex.getMessage() : ex.getClass().getSimpleName() + ": " + ex.getMessage();
            commandLine.getErr().println("error: " + msg);
            return 1;
        });
        return cli.execute(args);
    }
}
