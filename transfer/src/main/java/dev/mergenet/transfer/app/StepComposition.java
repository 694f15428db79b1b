package dev.mergenet.transfer.app;

import ai.djl.ndarray.NDManager;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.data.BatchOrder;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.data.LabeledData;
import dev.mergenet.transfer.distill.KdWarmup;
import dev.mergenet.transfer.mergenet.MergeNetTransfer;
import dev.mergenet.transfer.mergenet.PairSpec;
import dev.mergenet.transfer.model.TrainableModel;
import dev.mergenet.transfer.training.FrozenTeacher;
import dev.mergenet.transfer.training.Optimizers;
import dev.mergenet.transfer.training.SourceCoTraining;
import dev.mergenet.transfer.training.StepParticipant;
import dev.mergenet.transfer.training.TargetTraining;
import dev.mergenet.transfer.training.TransferRun;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place where a mode becomes a step: the target's training (the subject) and the participants the mode
 * composes, in the order the loop calls them. A new mode is one new {@link StepParticipant} and one line here.
 */
public final class StepComposition {
    private StepComposition() {}

    /**
     * The run of one mode.
     *
     * @param source      null in alone mode; the teacher in kd modes; the adapter's input in MergeNet modes
     * @param sourceData  the source's own data when it is co-trained on another set or task (null: the target's)
     * @param teacherView the training set as a frozen teacher sees it (null: the target's view)
     * @param log         where progress goes (null: nowhere)
     * @return the loop, which owns (and closes) the participants
     */
    public static TransferRun run(
            RunConfig cfg,
            TrainableModel target,
            TrainableModel source,
            List<PairSpec> pairs,
            DataSplits data,
            DataSplits sourceData,
            LabeledData teacherView,
            NDManager manager,
            PrintStream log) {
        Mode mode = cfg.mode();
        TrainableModel src = mode.needsSource() ? source : null;
        if (mode.needsSource() && src == null) {
            throw new MergeNetException("--mode " + mode.cliName() + " needs a source model");
        }
        if (data.train().size() == 0) {
            throw new MergeNetException(data.train().origin() + ": no training samples");
        }
        if (mode.distils() && sourceData != null) {
            throw new MergeNetException(
                    "--mode " + mode.cliName() + " distils on the target's batches; drop " + "--source-data");
        }
        KdWarmup warmup = new KdWarmup(
                mode.distils() ? cfg.distillation().warmupEpochs() : 0,
                BatchOrder.batches(data.train().size(), cfg.training().batchSize()));
        if (warmup.epochs() > 0 && log != null) {
            log.printf(
                    "kd warm-up: the distillation term's weight ramps linearly from 0 to 1 over %s epochs (%d steps)%n",
                    fmt(warmup.epochs()), warmup.steps());
        }
        TargetTraining subject = new TargetTraining(
                target,
                Optimizers.create(cfg, manager),
                cfg.distillation().alpha(),
                cfg.distillation().loss(),
                warmup);
        List<StepParticipant> participants = new ArrayList<>();
        boolean frozen = cfg.frozenSource();
        if (mode.coTrainsSource(frozen)) {
            participants.add(new SourceCoTraining(
                    src,
                    Optimizers.create(cfg, manager),
                    sourceData == null ? null : sourceData.train(),
                    cfg.training().batchSize(),
                    cfg.training().seed(),
                    mode.distils(),
                    sourceData != null ? sourceData.validation() : data.validation(),
                    cfg.training().evalBatchSize(),
                    manager));
        }
        if (mode.frozenTeacher(frozen)) {
            participants.add(new FrozenTeacher(
                    src, teacherView(teacherView, data), cfg.training().evalBatchSize(), manager));
        }
        if (mode.usesAdapter()) {
            long totalSteps = (long) cfg.training().epochs()
                    * BatchOrder.batches(data.train().size(), cfg.training().batchSize());
            participants.add(new MergeNetTransfer(cfg, target, src, pairs, totalSteps, manager));
        }
        return new TransferRun(cfg, subject, participants, data, manager, log);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** The frozen teacher reads its own view of the data (other resize or channels than the target's). */
    private static LabeledData teacherView(LabeledData view, DataSplits data) {
        if (view == null) {
            return data.train();
        }
        if (view.size() != data.train().size()) {
            throw new MergeNetException("the teacher's view of the data has " + view.size() + " samples, the "
                    + "target's " + data.train().size());
        }
        return view;
    }
}
