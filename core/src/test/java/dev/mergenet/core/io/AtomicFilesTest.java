package dev.mergenet.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic writes leave files with the permissions any new file gets here (the umask), and no temporary file. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void outputHonoursTheUmaskLikeAPlainNewFile() throws Exception {
        Path plain = dir.resolve("plain.txt");
        Files.writeString(plain, "x"); // created 0666 less the umask: the reference
        Path atomic = dir.resolve("atomic.txt");
        AtomicFiles.writeString(atomic, "y");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
        AtomicFiles.writeString(atomic, "z"); // replacing keeps the same rule
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
        assertEquals("z", Files.readString(atomic));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.count(), "no temporary file left behind");
        }
    }
}
