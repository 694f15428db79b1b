package dev.mergenet.cli;

import dev.mergenet.core.errors.MergeNetException;
import java.nio.file.InvalidPathException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The one `mergenet` command; each job is a subcommand. */
@Command(
        name = "mergenet",
        mixinStandardHelpOptions = true,
        version = "MergeNet-J 0.1.0",
        description = "Import ONNX models into trainable DJL graphs, transfer knowledge with MergeNet, export to ONNX.",
        subcommands = {
            InspectCommand.class,
            VerifyCommand.class,
            ConformanceCommand.class,
            OpsCommand.class,
            ExportCommand.class,
            TrainCommand.class,
            TransferCommand.class,
            PairsCommand.class,
            LayersCommand.class,
            DemoCommand.class,
            ExperimentCommand.class,
            DoctorCommand.class
        })
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
            if (verbose(parseResult)) {
                ex.printStackTrace();
            }
            commandLine.getErr().println("error: " + message(ex, parseResult));
            return 1;
        });
        // errors (out of memory, stack overflow) bypass picocli's exception handler: same one line, exit 1
        cli.setExecutionStrategy(parseResult -> {
            try {
                return new CommandLine.RunLast().execute(parseResult);
            } catch (OutOfMemoryError | StackOverflowError e) {
                if (verbose(parseResult)) {
                    e.printStackTrace();
                }
                cli.getErr().println("error: " + message(e, parseResult));
                return 1;
            }
        });
        return cli.execute(args);
    }

    private static boolean verbose(CommandLine.ParseResult parseResult) {
        return parseResult.matchedOptionValue("--verbose", false)
                || java.util.Arrays.asList(parseResult.originalArgs()).contains("--verbose");
    }

    /** Project errors already name their file; anything else is prefixed with the files the command was given. */
    static String message(Throwable ex, CommandLine.ParseResult parseResult) {
        if (ex instanceof MergeNetException || ex instanceof IllegalArgumentException) {
            return ex.getMessage();
        }
        String what = ex instanceof OutOfMemoryError
                ? "ran out of memory (" + ex.getMessage() + ")"
                : ex instanceof StackOverflowError
                        ? "nesting too deep (stack overflow)"
                        : ex.getClass().getSimpleName() + ": " + ex.getMessage();
        List<String> files = new ArrayList<>();
        for (String arg : parseResult.originalArgs()) {
            String value = arg.startsWith("--") && arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : arg;
            try {
                if (!value.startsWith("-") && java.nio.file.Files.isRegularFile(java.nio.file.Path.of(value))) {
                    files.add(value);
                }
            } catch (InvalidPathException e) {
                // not a file name
            }
        }
        return files.isEmpty() ? what : String.join(", ", files) + ": " + what;
    }
}
