package dev.mergenet.cli;

import java.util.List;

/** The raw arguments of the running command, recorded in reports so a table says how it was made. */
final class CliArgs {
    private static volatile List<String> args = List.of();

    private CliArgs() {}

    static void set(String... a) {
        args = List.of(a);
    }

    static List<String> current() {
        return args;
    }
}
