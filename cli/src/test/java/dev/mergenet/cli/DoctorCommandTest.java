package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** `mergenet doctor` reports the versions the pom declares and what the engines themselves report. */
class DoctorCommandTest {
    @Test
    void printsTheVersionsThePomDeclaresAndTheDevicesTheEnginesSee() {
        CliRun run = CliRun.of("doctor");
        assertEquals(0, run.code(), run.out() + run.err());
        Map<String, String> lines = new LinkedHashMap<>();
        for (String line : run.out().split("\n")) {
            int colon = line.indexOf(": ");
            lines.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        assertTrue(lines.get("java").startsWith(System.getProperty("java.version") + " "), lines.get("java"));
        assertEquals(expected("djl"), lines.get("djl"));
        assertEquals(expected("libtorch"), lines.get("libtorch"));
        assertEquals(expected("flavor"), lines.get("libtorch flavor"));
        assertEquals(expected("onnxruntime"), lines.get("onnxruntime"));
        assertEquals(String.valueOf(Engine.getEngine("PyTorch").getGpuCount()), lines.get("cuda devices (djl)"));
        String providers = OrtEnvironment.getAvailableProviders().stream()
                .map(OrtProvider::name)
                .collect(Collectors.joining(", "));
        assertEquals(providers, lines.get("onnxruntime providers"));
        assertTrue(providers.contains("CPU"), providers);
    }

    @Test
    void readsTheFlavorFromDjlsLibtorchFolderName() {
        assertEquals("cpu", DoctorCommand.flavor("/root/.djl.ai/pytorch/2.7.1-20250812-cpu-linux-x86_64"));
        assertEquals("cu124", DoctorCommand.flavor("/root/.djl.ai/pytorch/2.5.1-cu124-linux-x86_64"));
        assertEquals("cu121-precxx11", DoctorCommand.flavor("/x/2.1.1-cu121-precxx11-linux-x86_64"));
        assertEquals("unknown", DoctorCommand.flavor("/opt/libtorch"));
    }

    /** A version the build declares (cli/pom.xml passes them to the tests). */
    private static String expected(String name) {
        String value = System.getProperty("mergenet.expected." + name);
        assertNotNull(value, "run through Maven: mergenet.expected." + name + " is set by cli/pom.xml");
        return value;
    }
}
