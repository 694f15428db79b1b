package dev.mergenet.sweep;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * A trial's own JVM (local mode, started by {@link TrialJvm}): runs one trial as a task would and exits 0 once its
 * record is written (finished, or failed deterministically); any other exit is a lost attempt. It halts when its
 * standard input ends, i.e. when the JVM that started it is gone. Args: SPEC.json ATTEMPT DEVICE THREADS.
 */
public final class TrialJvmMain {
    /** The exit status of an attempt lost to an error that is not the trial's own (a retry may pass). */
    static final int LOST = 1;
    /** The exit status when the task's JVM died. */
    static final int ORPHANED = 3;

    private TrialJvmMain() {}

    public static void main(String[] args) {
        watchParent(System.in);
        int status;
        try {
            TrialSpec spec = TrialRecord.readSpec(Path.of(args[0]));
            TrialTask.runHere(spec, Integer.parseInt(args[1]), args[2], Integer.parseInt(args[3]));
            status = 0;
        } catch (Throwable t) { // its message is in the trial log (our stdout): the task turns the status into a retry
            t.printStackTrace(System.out);
            status = LOST;
        }
        System.out.flush();
        // halt: the record and log are closed; no shutdown work of the engine's should delay the next trial
        Runtime.getRuntime().halt(status);
    }

    /** Halts this JVM when {@code parent} (the task's pipe) ends: the task's JVM was killed or exited. */
    private static void watchParent(InputStream parent) {
        Thread t = new Thread(
                () -> {
                    try {
                        while (parent.read() != -1) {
                            // nothing is sent; only the end matters
                        }
                    } catch (IOException ignored) {
                        // a broken pipe is an end too
                    }
                    System.out.println("the task's JVM is gone: trial stopped");
                    System.out.flush();
                    Runtime.getRuntime().halt(ORPHANED);
                },
                "parent-watch");
        t.setDaemon(true);
        t.start();
    }
}
