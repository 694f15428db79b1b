package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.exporters.OnnxExporter;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.sweep.SweepDriver;
import dev.mergenet.transfer.training.TransferRun;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No project class calls DJL's {@code NDArray.mul/div/pow/maximum/minimum(Number)}: their scalar is freed while
 * autograd still reads it (see ScalarMath). Reads each class file's constant pool for such method references.
 */
class ScalarOverloadScanTest {
    private static final Set<String> UNSAFE = Set.of("mul", "div", "pow", "maximum", "minimum");
    private static final String NUMBER_OVERLOAD = "(Ljava/lang/Number;)Lai/djl/ndarray/NDArray;";
    private static final String ALLOWED = "dev/mergenet/importers/ndarray/ScalarMath.class";

    @Test
    void noClassUsesTheNumberOverloads() throws Exception {
        List<String> offenders = new ArrayList<>();
        int scanned = 0;
        for (Class<?> anchor : List.of(
                OnnxGraphBlock.class, OnnxExporter.class, TransferRun.class, SweepDriver.class, MergenetCli.class)) {
            Path where = Path.of(
                    anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (ClassBytes c : classes(where)) {
                scanned++;
                if (!c.name.equals(ALLOWED)) {
                    for (String ref : numberOverloads(c.bytes)) {
                        offenders.add(c.name + " calls NDArray." + ref + "(Number)");
                    }
                }
            }
        }
        assertTrue(scanned > 300, "scanned only " + scanned + " classes");
        assertEquals(List.of(), offenders, "use dev.mergenet.importers.ndarray.ScalarMath instead");
    }

    @Test
    void theScanFindsAReferenceWhereThereIsOne() throws Exception {
        try (InputStream in = ScalarOverloadScanTest.class.getClassLoader().getResourceAsStream(ALLOWED)) {
            assertTrue(numberOverloads(in.readAllBytes()).containsAll(UNSAFE));
        }
    }

    private record ClassBytes(String name, byte[] bytes) {}

    private static List<ClassBytes> classes(Path where) throws IOException, URISyntaxException {
        List<ClassBytes> out = new ArrayList<>();
        if (Files.isDirectory(where)) {
            try (Stream<Path> s = Files.walk(where)) {
                for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".class"))::iterator) {
                    out.add(new ClassBytes(where.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p)));
                }
            }
        } else {
            try (JarFile jar = new JarFile(where.toFile())) {
                for (JarEntry e : (Iterable<JarEntry>) jar.stream()::iterator) {
                    if (e.getName().endsWith(".class")) {
                        try (InputStream in = jar.getInputStream(e)) {
                            out.add(new ClassBytes(e.getName(), in.readAllBytes()));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Names of NDArray methods referenced with the (Number) -> NDArray descriptor, from the constant pool. */
    static List<String> numberOverloads(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        in.readInt(); // magic
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        int[][] refs = new int[count][];
        int[][] nameAndType = new int[count][];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNameIndex[i] = in.readUnsignedShort();
                case 10, 11 -> refs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 12 -> nameAndType[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 3, 4, 9, 17, 18 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++; // 8-byte constants take two slots
                }
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        List<String> found = new ArrayList<>();
        for (int[] r : refs) {
            if (r == null) {
                continue;
            }
            String owner = utf8[classNameIndex[r[0]]];
            int[] nt = nameAndType[r[1]];
            if (("ai/djl/ndarray/NDArray".equals(owner) || "ai/djl/pytorch/engine/PtNDArray".equals(owner))
                    && UNSAFE.contains(utf8[nt[0]])
                    && NUMBER_OVERLOAD.equals(utf8[nt[1]])) {
                found.add(utf8[nt[0]]);
            }
        }
        return found;
    }
}
