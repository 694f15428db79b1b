package dev.mergenet.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.core.errors.MergeNetException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Specs travel to tasks by Java serialization, hash what decides a result, and grids run what each arm reads. */
class TrialSpecTest {
    private static TrialSpec spec(String arm, Map<String, String> params, String out) {
        return new TrialSpec(
                "s",
                "/m/t.onnx",
                "/m/s.onnx",
                "abc",
                "csv:/d.csv",
                arm,
                3,
                new TreeMap<>(params),
                new TreeMap<>(Map.of("lr", "0.1")),
                100,
                50,
                out);
    }

    @Test
    void specSurvivesJavaSerializationAndHashesOnlyWhatDecidesTheResult() throws Exception {
        TrialSpec s = spec("mergenet:gated", Map.of("lr", "0.1", "epochs", "2"), "/out/a");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(s);
        }
        TrialSpec back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (TrialSpec) in.readObject();
        }
        assertEquals(s, back);
        assertEquals(s.hash(), back.hash());
        assertTrue(s.id().matches("mergenet-gated_s3_g[0-9a-f]{8}"), s.id());
        // the output folder is where, not what: moving it keeps the hash; any setting changes it
        assertEquals(
                s.hash(),
                spec("mergenet:gated", Map.of("lr", "0.1", "epochs", "2"), "/out/b")
                        .hash());
        assertNotEquals(
                s.hash(),
                spec("mergenet:gated", Map.of("lr", "0.1", "epochs", "3"), "/out/a")
                        .hash());
        assertNotEquals(
                s.hash(),
                spec("mergenet", Map.of("lr", "0.1", "epochs", "2"), "/out/a").hash());
    }

    @Test
    void gridRunsEachArmOverTheSettingsItReads() {
        Grid g = Grid.parse(List.of("adapter-lr=1e-1,1e-2", "cycle=1,2,3", "lr=0.05,0.1", "kd-alpha=0.5,0.9"));
        assertEquals(2, g.points("alone").size());
        assertEquals(4, g.points("kd").size());
        assertEquals(12, g.points("mergenet").size());
        assertEquals(24, g.points("mergenet+kd:gated").size());
        assertEquals(
                Map.of("adapter-lr", "1e-1", "cycle", "1", "lr", "0.05"),
                g.points("mergenet").get(0));
        MergeNetException unknown = assertThrows(MergeNetException.class, () -> Grid.parse(List.of("adaptr-lr=1")));
        assertTrue(unknown.getMessage().contains("adaptr-lr")
                && unknown.getMessage().contains("adapter-lr"));
        assertThrows(MergeNetException.class, () -> Grid.parse(List.of("lr=")));
        assertThrows(MergeNetException.class, () -> TrialRunner.checkArm("alone:gated"));
        assertThrows(MergeNetException.class, () -> TrialRunner.checkArm("mergenet:sideways"));
    }

    @Test
    void armsFixSettingsThatTheGridThenLeavesAlone() {
        Grid g = Grid.parse(List.of("kd-loss=hinton,dkd", "dkd-beta=2,8", "init=target,selection"));
        // the arm fixes kd-loss and init: only dkd-beta, which dkd reads, is left to the grid
        assertEquals(2, g.points("kd@kd-loss=dkd@init=selection").size());
        // hinton does not read dkd-beta
        assertEquals(2, g.points("kd@kd-loss=hinton").size());
        // alone reads init only
        assertEquals(2, g.points("alone").size());
        assertTrue(TrialRunner.isAlone("alone"));
        assertTrue(!TrialRunner.isAlone("alone@init=selection"));
        assertTrue(TrialRunner.needsSource("alone@init=selection"));
        assertTrue(!TrialRunner.needsSource("alone@init=target"));
        assertEquals("random-source:gated@init=selection", TrialRunner.control("mergenet:gated@init=selection"));
        assertTrue(spec("kd@init=selection-permuted", Map.of(), "/o").id().startsWith("kd-init-selection-permuted_s3"));
        assertThrows(MergeNetException.class, () -> TrialRunner.checkArm("kd@init=everything"));
        assertThrows(MergeNetException.class, () -> TrialRunner.checkArm("kd@kd-loss=fancy"));
        assertThrows(MergeNetException.class, () -> TrialRunner.checkArm("kd@no-such-key=1"));
        assertThrows(MergeNetException.class, () -> TrialRunner.checkArm("kd@init"));
        assertThrows(MergeNetException.class, () -> TrialRunner.checkArm("kd@init=target@init=selection"));
    }

    @Test
    void armsAreComparedWithTheirReferences() {
        assertTrue(TrialRunner.isReference("kd@init=selection", "kd"));
        assertTrue(TrialRunner.isReference("kd@init=selection", "kd@init=selection-permuted"));
        assertTrue(TrialRunner.isReference("kd@init=selection", "alone"));
        assertTrue(TrialRunner.isReference("kd@kd-loss=dkd", "kd"));
        assertTrue(TrialRunner.isReference("alone@init=selection", "alone@init=selection-permuted"));
        // plain kd is every distilling arm's reference; two settings apart, or another mode: no pair
        assertTrue(TrialRunner.isReference("kd@init=selection@kd-loss=dkd", "kd"));
        assertTrue(!TrialRunner.isReference("kd@init=selection@kd-loss=dkd", "kd@kd-loss=zscore"));
        assertTrue(!TrialRunner.isReference("alone@init=selection", "kd@init=selection"));
        assertTrue(!TrialRunner.isReference("kd", "kd"));
    }

    @Test
    void compactorArmsReadTheSourceTheirLearningRateAndPhase() {
        TrialRunner.checkArm("alone@init=compactors");
        TrialRunner.checkArm("kd@init=compactors-permuted");
        MergeNetException bad =
                assertThrows(MergeNetException.class, () -> TrialRunner.checkArm("alone@init=compactor"));
        assertTrue(bad.getMessage().contains("compactors-permuted"), bad.getMessage());
        assertTrue(TrialRunner.needsSource("alone@init=compactors"));
        assertTrue(TrialRunner.reads("alone@init=compactors", "adapter-lr"));
        assertTrue(TrialRunner.reads("kd@init=compactors-permuted", "compact-until"));
        assertFalse(TrialRunner.reads("alone", "compact-until"));
        assertFalse(TrialRunner.reads("mergenet", "compact-until"));
        assertFalse(TrialRunner.reads("alone@init=selection", "adapter-lr"));
        assertTrue(TrialRunner.isReference("alone@init=compactors", "alone@init=compactors-permuted"));
        Grid g = Grid.parse(List.of("adapter-lr=1e-2,1e-3", "compact-until=0.25,0.5"));
        assertEquals(4, g.points("alone@init=compactors").size());
        assertEquals(1, g.points("alone").size());
    }
}
