package dev.mergenet.transfer.app.demo;

import dev.mergenet.core.errors.MergeNetException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Makes sure Fashion-MNIST is installed: the Debian package dataset-fashion-mnist, through apt, when missing. */
public final class DatasetInstaller {
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    private static final String PACKAGE = "dataset-fashion-mnist";

    private DatasetInstaller() {}

    public static void ensureFashionMnist(Path dir, PrintStream log) {
        if (present(dir)) {
            return;
        }
        if (!dir.equals(DEFAULT_DIR)) {
            throw new MergeNetException(dir + ": Fashion-MNIST IDX files not found there");
        }
        log.println(dir + " is missing: installing " + PACKAGE + " with apt-get");
        List<String> cmd = new ArrayList<>();
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) {
            cmd.add("sudo");
            cmd.add("-n");
        }
        cmd.addAll(List.of("apt-get", "install", "-y", PACKAGE));
        try {
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            int rc = p.waitFor();
            if (rc != 0 || !present(dir)) {
                throw new MergeNetException("installing " + PACKAGE + " failed (exit " + rc + "); run `sudo apt-get "
                        + "install " + PACKAGE + "` and retry");
            }
        } catch (IOException e) {
            throw new MergeNetException("cannot run apt-get to install " + PACKAGE + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MergeNetException("interrupted while installing " + PACKAGE, e);
        }
    }

    private static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))
                || Files.isRegularFile(dir.resolve("train-images-idx3-ubyte"));
    }
}
