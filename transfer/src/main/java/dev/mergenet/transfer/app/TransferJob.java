package dev.mergenet.transfer.app;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.exporters.ExportService;
import dev.mergenet.exporters.OriginalModel;
import dev.mergenet.exporters.TrainingCheckpoint;
import dev.mergenet.exporters.deploy.Deployment;
import dev.mergenet.exporters.deploy.InputPreprocessing;
import dev.mergenet.exporters.io.ModelHash;
import dev.mergenet.exporters.io.WriteOptions;
import dev.mergenet.exporters.precision.Precision;
import dev.mergenet.exporters.provenance.Lineage;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.edit.ClassifierHead;
import dev.mergenet.importers.edit.SoftmaxTail;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.transfer.data.DataSpec;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.data.InputAdaptation;
import dev.mergenet.transfer.data.LabeledData;
import dev.mergenet.transfer.report.CurvePlot;
import dev.mergenet.transfer.report.RunReport;
import dev.mergenet.importers.analysis.PreciseBatchNorm;
import dev.mergenet.transfer.train.EpochCsv;
import dev.mergenet.transfer.train.NormalizationRepair;
import dev.mergenet.transfer.train.EpochRecord;
import dev.mergenet.transfer.train.Mode;
import dev.mergenet.transfer.train.OnnxClassifier;
import dev.mergenet.transfer.train.OnnxWeightsOnly;
import dev.mergenet.transfer.train.PairSpec;
import dev.mergenet.transfer.train.RunConfig;
import dev.mergenet.transfer.train.TrainableModel;
import dev.mergenet.transfer.train.TransferRun;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What `mergenet train` and `mergenet transfer` do, without the command line: load the ONNX models and data,
 * run the training, write the trained target back into its ONNX graph (with lineage), the JSON report and the
 * plot. The device is chosen by the caller.
 */
public final class TransferJob {
    /** Inputs of one job. {@code source} may be null (train / alone). */
    public record Request(Path target, Path source, List<String> pairs, String data, String sourceData,
                          InputAdaptation adaptation, InputAdaptation sourceAdaptation, int validationSize,
                          int trainLimit, int evalLimit, RunConfig config, Integer numClasses, Path out, Path report, Path plot,
                          boolean force, String commandLine, ExportSettings export, boolean compareAlone,
                          java.util.Set<String> keepTied, Normalization norm) {
        public Request {
            export = export == null ? ExportSettings.DEFAULT : export;
            norm = norm == null ? Normalization.NONE : norm;
            keepTied = keepTied == null ? java.util.Set.of() : java.util.Set.copyOf(keepTied);
        }

        /** A request with the default export settings (fp32, inline data, preprocessing left to the caller). */
        public Request(Path target, Path source, List<String> pairs, String data, String sourceData,
                       InputAdaptation adaptation, InputAdaptation sourceAdaptation, int validationSize,
                       int trainLimit, int evalLimit, RunConfig config, Integer numClasses, Path out, Path report,
                       Path plot, boolean force, String commandLine) {
            this(target, source, pairs, data, sourceData, adaptation, sourceAdaptation, validationSize, trainLimit,
                    evalLimit, config, numClasses, out, report, plot, force, commandLine, ExportSettings.DEFAULT, false,
                    null, null);
        }

        /** A request with these export settings, without --compare-alone. */
        public Request(Path target, Path source, List<String> pairs, String data, String sourceData,
                       InputAdaptation adaptation, InputAdaptation sourceAdaptation, int validationSize,
                       int trainLimit, int evalLimit, RunConfig config, Integer numClasses, Path out, Path report,
                       Path plot, boolean force, String commandLine, ExportSettings export) {
            this(target, source, pairs, data, sourceData, adaptation, sourceAdaptation, validationSize, trainLimit,
                    evalLimit, config, numClasses, out, report, plot, force, commandLine, export, false, null, null);
        }

        /** The alone baseline of this request: same target, seed, data and order; no outputs. */
        Request aloneBaseline() {
            return new Request(target, null, List.of(), data, null, adaptation, null, validationSize, trainLimit,
                    evalLimit, config.withMode(Mode.ALONE).withCheckpoint(null, false), numClasses, null, null,
                    null, force, commandLine, export, false, keepTied, norm);
        }
    }

    /**
     * What training does about normalization: {@code restore} puts a BatchNormalization back after each Conv an
     * export folded it into (--restore-norm), {@code fold} folds them into the Convs again at export (--fold-norm),
     * {@code preciseBn} recomputes the running statistics over training batches before each validation (--precise-bn).
     */
    public record Normalization(boolean restore, boolean fold, boolean preciseBn) {
        public static final Normalization NONE = new Normalization(false, false, false);

        public Normalization {
            if (fold && !restore) {
                throw new MergeNetException("--fold-norm folds the BatchNormalizations that --restore-norm puts back;"
                        + " pass --restore-norm too");
            }
        }
    }

    /** How --out is written: the input adaptation as graph ops, fp16, external data. */
    public record ExportSettings(boolean embedPreprocessing, Precision precision, boolean externalData) {
        public static final ExportSettings DEFAULT = new ExportSettings(false, Precision.FP32, false);
    }

    /** What a job produced. */
    public record Result(List<EpochRecord> history, Path model, RunReport report, long adapterParameters,
                         int keptEpoch, Double aloneTestAccuracy, int testSamples, int classes) {
        /** Test accuracy of the kept epoch's weights (the exported model). */
        public double keptTestAccuracy() {
            return history.isEmpty() || keptEpoch < 1 ? Double.NaN : history.get(keptEpoch - 1).targetTestAccuracy;
        }

        public double keptValAccuracy() {
            return history.isEmpty() || keptEpoch < 1 ? Double.NaN : history.get(keptEpoch - 1).targetValAccuracy;
        }
    }

    /** Scores beyond this magnitude are not a classifier's: such a model is not exported. */
    static final double EXPLODED_SCORE = 1e6;

    private TransferJob() {}

    public static Result run(Request req, Device device, PrintStream log) {
        checkOutputs(req);
        Double alone = null;
        if (req.compareAlone() && req.config().mode() != Mode.ALONE) {
            if (log != null) {
                log.println("== alone baseline (same seed, data and order), for --compare-alone");
            }
            alone = runOne(req.aloneBaseline(), device, log, null).keptTestAccuracy();
            if (log != null) {
                log.println("== " + req.config().mode().cliName());
            }
        }
        return runOne(req, device, log, alone);
    }

    private static Result runOne(Request req, Device device, PrintStream log, Double aloneTest) {
        // the target is read, hashed and re-headed once here; the export writes this same model back
        OriginalModel original = OriginalModel.read(req.target(), req.numClasses() == null ? null
                : new TrainingCheckpoint.HeadEdit(req.numClasses(), req.config().seed()));
        InputHashes hashes = InputHashes.of(req, original.sha256());
        OnnxModel targetModel = original.model();
        if (original.replaced() != null && log != null) {
            ClassifierHead.Replaced head = original.replaced();
            log.printf("re-headed %s: %s %d -> %d classes (%d features)%n", req.target().getFileName(),
                    head.node(), head.oldClasses(), head.newClasses(), head.features());
        }
        SoftmaxTail.TrainingView targetView = SoftmaxTail.trainingView(targetModel);
        targetModel = targetView.model();
        OnnxModel sourceModel = req.source() == null ? null
                : SoftmaxTail.trainingView(OnnxModelReader.read(req.source())).model();
        Mode mode = req.config().mode();
        if (mode != Mode.ALONE && sourceModel == null) {
            throw new MergeNetException("--mode " + mode.cliName() + " needs --source");
        }
        DataSplits data = DataSpec.parse(req.data()).load(req.adaptation(), req.validationSize(), 0)
                .limitTrain(req.trainLimit(), 1).limitEval(req.evalLimit());
        DataSplits sourceData = req.sourceData() == null ? null
                : DataSpec.parse(req.sourceData()).load(req.sourceAdaptation(), req.validationSize(), 0)
                        .limitTrain(req.trainLimit(), 1).limitEval(req.evalLimit());
        try (NDManager manager = TorchEngine.newManager(device)) {
            targetModel = NormalizationRepair.prepare(targetModel, req.norm().restore(), data.train(),
                    req.config().batchSize(), req.config().seed(), manager, log);
            // value-merged initializers are split at import, except names the user keeps tied (--keep-tied)
            OnnxGraphBlock targetBlock = OnnxImporter.load(targetModel, manager,
                    dev.mergenet.importers.ImportOptions.DEFAULT.withKeepTied(req.keepTied()));
            TrainableModel target = new OnnxClassifier(targetBlock, true);
            boolean sourceRuns = mode.distils()
                    || (mode.usesAdapter() && !mode.randomSource() && !req.config().frozenSource());
            // a source that never runs (frozen MergeNet, random-source control) is read for its weights only
            TrainableModel source = sourceModel == null || mode == Mode.ALONE ? null
                    : sourceRuns ? new OnnxClassifier(OnnxImporter.load(sourceModel, manager),
                            !req.config().frozenSource())
                    : new OnnxWeightsOnly(sourceModel, manager);
            checkClasses(target, data.train(), manager, "target", true);
            // a frozen teacher sees the training set through its own input adaptation (--source-resize, ...)
            DataSplits teacherData = mode.distils() && req.config().frozenSource() && sourceData == null
                    && req.sourceAdaptation() != null && !req.sourceAdaptation().isIdentity()
                    ? DataSpec.parse(req.data()).load(req.sourceAdaptation(), req.validationSize(), 0)
                            .limitTrain(req.trainLimit(), 1).limitEval(req.evalLimit())
                    : null;
            if (source != null && sourceRuns) {
                checkClasses(source, sourceData != null ? sourceData.train()
                        : teacherData != null ? teacherData.train() : data.train(), manager, "source", false);
            }
            List<PairSpec> pairs = mode.usesAdapter() ? PairSpec.resolve(req.pairs(), target, source, log)
                    : List.of();
            if (log != null) {
                log.printf("data: %d train / %d validation / %s test samples of shape %s, %d classes%n",
                        data.train().size(), data.validation() == null ? 0 : data.validation().size(),
                        data.test() == null ? "no" : Integer.toString(data.test().size()),
                        data.train().sampleShape(), data.train().classes());
                // what each model is fed: the source inherits --mean/--std, not --resize/--channels
                log.printf("input: target %s%s%n", req.adaptation() == null ? "none" : req.adaptation().describe(),
                        source == null ? "" : "; source " + (req.sourceAdaptation() == null ? "none"
                                : req.sourceAdaptation().describe()));
            }
            TransferRun run = new TransferRun(req.config(), target, source, pairs, data, sourceData, manager, log)
                    .teacherView(teacherData == null ? null : teacherData.train())
                    .identity(identity(req, hashes));
            PreciseBatchNorm precise = req.norm().preciseBn() ? NormalizationRepair.precise(targetBlock, manager) : null;
            if (precise != null) {
                run.beforeEvaluation(() -> NormalizationRepair.recompute(precise, data.train(),
                        req.config().batchSize(), req.config().seed(), manager));
            }
            InputPreprocessing preprocessing = req.adaptation().describing(data.train().rawSampleShape());
            List<String> classNames = data.train().classNames();
            TrainingCheckpoint.HeadEdit head = req.numClasses() == null ? null
                    : new TrainingCheckpoint.HeadEdit(req.numClasses(), req.config().seed());
            run.exportHeader(h -> TrainingCheckpoint.Header.of(hashes.target(), head, preprocessing, classNames,
                    lineage(req, hashes, h)));
            if (log != null && run.pairCount() > 0) {
                run.transfer().notes().forEach(log::println);
                long targetParams = target.weights().values().stream().mapToLong(a -> a.getShape().size()).sum();
                log.printf("adapter: %,d parameters (%.1fx the target's %,d), head widths %s%n",
                        run.adapterParameterCount(), (double) run.adapterParameterCount() / targetParams, targetParams,
                        java.util.Arrays.toString(run.adapter(0).headWidths()));
            }
            Map<String, Double> teacherAccuracy = mode.distils() && req.config().frozenSource()
                    ? teacherAccuracy(source, teacherData != null ? teacherData : data, req.config(), manager, log)
                    : Map.of();
            List<EpochRecord> history;
            InterruptNotice notice = new InterruptNotice(run, req, log);
            try {
                history = run.run();
            } finally {
                notice.close();
                if (precise != null) {
                    precise.close();
                }
            }
            RunReport report = report(req, hashes, targetModel, pairs, target, source, data, run, history);
            report.put("keep", req.config().keep().name().toLowerCase());
            report.put("keptEpoch", run.keptEpoch());
            if (run.stopReason() != null) {
                report.put("stoppedEarly", run.stopReason());
            }
            if (!teacherAccuracy.isEmpty()) {
                report.put("teacherAccuracy", teacherAccuracy);
            }
            if (aloneTest != null) {
                report.put("aloneTestAccuracy", aloneTest);
            }
            if (log != null && req.config().keep() == RunConfig.Keep.BEST && run.keptEpoch() != run.epochsDone()) {
                log.printf("keeping epoch %d, the best validation accuracy (--keep best; a tie keeps the earliest "
                        + "epoch)%n", run.keptEpoch());
            }
            checkOutputsFinite(target, data, req, manager);
            checkValidationLoss(history, run.keptEpoch(), data, req);
            Path written = null;
            if (req.out() != null) {
                written = export(req, target, original, new Deployment(preprocessing,
                        req.export().embedPreprocessing(), classNames), lineage(req, hashes, history), report);
            }
            if (req.report() != null) {
                report.write(req.report());
                EpochCsv.write(EpochCsv.besideReport(req.report()), history);
            }
            if (req.plot() != null) {
                CurvePlot.write(req.plot(), CurvePlot.title(mode.cliName(), req.target(),
                        mode == Mode.ALONE ? null : req.source()), history);
            }
            return new Result(history, written, report, run.adapterParameterCount(), run.keptEpoch(), aloneTest,
                    data.test() == null ? 0 : data.test().size(), data.train().classes());
        }
    }

    private static void checkOutputs(Request req) {
        for (Path p : new Path[] {req.out(), req.report(), req.plot()}) {
            if (p == null) {
                continue;
            }
            Path abs = p.toAbsolutePath().normalize();
            for (Path in : new Path[] {req.target(), req.source()}) {
                if (in != null && abs.equals(in.toAbsolutePath().normalize())) {
                    throw new MergeNetException(p + ": refusing to overwrite an input model");
                }
            }
            if (abs.getParent() != null && !Files.isDirectory(abs.getParent())) {
                throw new MergeNetException(p + ": output folder " + abs.getParent() + " does not exist");
            }
        }
        if (req.out() != null) {
            ExportService.checkOutput(exportRequest(req).build());
        }
    }

    /** The model's score width must cover the data's labels (and, for the trained target, equal it). */
    private static void checkClasses(TrainableModel model, LabeledData data, NDManager manager, String role,
                                     boolean exact) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = data.features(scope, new int[] {0}, 0, 1);
            NDArray y;
            try {
                y = model.forward(x, false);
            } catch (RuntimeException e) {
                String flags = role.equals("source") ? "--source-resize HxW, --source-channels N"
                        : "--resize HxW, --channels N, --mean/--std";
                throw new MergeNetException(model.origin() + ": the " + role + " model cannot run on samples of shape "
                        + data.sampleShape() + " (" + e.getMessage() + "); adapt its input with " + flags, e);
            }
            Shape s = y.getShape();
            if (s.dimension() != 2 || s.get(1) < data.classes()) {
                throw new MergeNetException(model.origin() + ": the " + role + " model outputs " + s + " but "
                        + data.origin() + " has " + data.classes() + " classes; re-head it to "
                        + data.classes() + " classes with --num-classes " + data.classes());
            }
            if (exact && s.get(1) != data.classes()) {
                throw new MergeNetException(model.origin() + ": the " + role + " model outputs " + s.get(1)
                        + " classes but " + data.origin() + " has " + data.classes() + "; pass --num-classes "
                        + data.classes() + " to give it a new head for this data");
            }
        }
    }

    /** Through the one export service: the original target as read and re-headed for training, with the trained values. */
    private static Path export(Request req, TrainableModel target, OriginalModel original,
                               Deployment deployment, Lineage lineage, RunReport report) {
        Map<String, NDArray> trained = new LinkedHashMap<>(target.weights());
        trained.putAll(target.state());
        ExportService.Result r = ExportService.export(exportRequest(req).original(original)
                .trained(trained, "the trained target").lineage(lineage).deployment(deployment).build());
        report.put("exportedModel", r.file().model().toString());
        return r.file().model();
    }

    /** Output, precision and write options of --out (the source model is protected like the target). */
    private static ExportService.Builder exportRequest(Request req) {
        List<Path> inputs = new ArrayList<>();
        if (req.source() != null) {
            inputs.add(req.source());
        }
        return ExportService.builder(req.target(), req.out()).precision(req.export().precision())
                .write(new WriteOptions(req.force(), req.export().externalData(), inputs))
                .norm(new ExportService.NormEdit(req.norm().restore(), req.norm().fold()));
    }

    /** Where the model came from and how it was trained, with the last epoch's metrics. */
    /** SHA-256 of the input models, read once per job (lineage is stamped into every epoch's checkpoint). */
    private record InputHashes(String target, String source) {
        static InputHashes of(Request req, String targetSha256) {
            return new InputHashes(targetSha256,
                    req.source() == null ? null : ModelHash.sha256(req.source()));
        }
    }

    private static Lineage lineage(Request req, InputHashes hashes, List<EpochRecord> history) {
        Mode mode = req.config().mode();
        String op = req.source() == null || mode == Mode.ALONE ? "train" : "transfer";
        Lineage lineage = new Lineage(op, hashes.target(), op.equals("transfer") ? hashes.source() : null,
                settings(req), Map.of());
        if (history.isEmpty()) {
            return lineage;
        }
        // the metrics of the epoch whose weights are shipped: the best validation epoch with --keep best
        EpochRecord last = history.get(keptEpoch(req.config().keep(), history) - 1);
        lineage = lineage.withSetting("kept_epoch", Integer.toString(last.epoch + 1));
        lineage = lineage.withMetric("epochs_done", history.size());
        if (Double.isFinite(last.targetValAccuracy)) {
            lineage = lineage.withMetric("val_accuracy", last.targetValAccuracy);
        }
        if (Double.isFinite(last.targetTestAccuracy)) {
            lineage = lineage.withMetric("test_accuracy", last.targetTestAccuracy);
        }
        return lineage;
    }

    /** 1-based epoch whose weights --keep ships: the last epoch marked best so far, or the last epoch. */
    static int keptEpoch(RunConfig.Keep keep, List<EpochRecord> history) {
        if (keep == RunConfig.Keep.BEST) {
            for (int i = history.size() - 1; i >= 0; i--) {
                if (history.get(i).bestSoFar) {
                    return i + 1;
                }
            }
        }
        return history.size();
    }

    private static String normFlags(Normalization n) {
        List<String> flags = new ArrayList<>();
        if (n.restore()) {
            flags.add("--restore-norm");
        }
        if (n.fold()) {
            flags.add("--fold-norm");
        }
        if (n.preciseBn()) {
            flags.add("--precise-bn");
        }
        return String.join(" ", flags);
    }

    /** Model and data identity, part of the checkpoint's fingerprint. */
    private static Map<String, String> identity(Request req, InputHashes hashes) {
        Map<String, String> id = new LinkedHashMap<>();
        id.put("target-sha256", hashes.target());
        if (req.source() != null && req.config().mode() != Mode.ALONE) {
            id.put("source-sha256", hashes.source());
        }
        id.put("data", req.data());
        if (req.sourceData() != null) {
            id.put("source-data", req.sourceData());
        }
        id.put("train-limit", Integer.toString(req.trainLimit()));
        id.put("validation", Integer.toString(req.validationSize()));
        id.put("input", req.adaptation() == null ? "none" : req.adaptation().describe());
        id.put("num-classes", String.valueOf(req.numClasses()));
        if (req.norm().restore() || req.norm().preciseBn()) {
            id.put("normalization", normFlags(req.norm()));
        }
        if (!req.keepTied().isEmpty()) {
            id.put("keep-tied", String.join(",", new java.util.TreeSet<>(req.keepTied())));
        }
        return id;
    }

    /** The frozen teacher's accuracy on validation and test, in eval mode, through its own view of the data. */
    private static Map<String, Double> teacherAccuracy(TrainableModel teacher, DataSplits view, RunConfig cfg,
                                                       NDManager manager, PrintStream log) {
        Map<String, Double> acc = new LinkedHashMap<>();
        if (view.validation() != null) {
            acc.put("validation", dev.mergenet.transfer.train.Evaluation.evaluate(teacher, view.validation(),
                    cfg.evalBatchSize(), manager)[1]);
        }
        if (view.test() != null) {
            acc.put("test", dev.mergenet.transfer.train.Evaluation.evaluate(teacher, view.test(), cfg.evalBatchSize(),
                    manager)[1]);
        }
        if (log != null) {
            log.printf("teacher (frozen, eval mode): %s%n", acc.entrySet().stream()
                    .map(e -> String.format("%s %.2f%%", e.getKey(), 100 * e.getValue())).toList());
        }
        return acc;
    }

    /**
     * The validation-explosion rule: a kept epoch whose validation loss is --max-loss-ratio times a uniform guess's
     * (ln classes) or more is refused, as a training loss that grows so far is.
     */
    private static void checkValidationLoss(List<EpochRecord> history, int kept, DataSplits data, Request req) {
        double ratio = req.config().maxLossRatio();
        if (ratio <= 0 || kept < 1 || kept > history.size()) {
            return;
        }
        double loss = history.get(kept - 1).targetValLoss;
        double limit = ratio * Math.log(Math.max(2, data.train().classes()));
        if (Double.isNaN(loss) && data.validation() == null) {
            return;
        }
        if (!Double.isFinite(loss) || loss > limit) {
            throw new dev.mergenet.transfer.train.TrainingDivergedException(String.format(java.util.Locale.ROOT,
                    "%s: the kept epoch %d has validation loss %s, more than --max-loss-ratio %s times a uniform "
                    + "guess's (%.2f): its validation outputs exploded; nothing exported. Lower --lr", req.target(),
                    kept, String.format(java.util.Locale.ROOT, "%,.2f", loss), ratio, Math.log(Math.max(2,
                    data.train().classes()))));
        }
    }

    /** A model whose validation outputs are non-finite or explode is an error, not an output. */
    private static void checkOutputsFinite(TrainableModel target, DataSplits data, Request req, NDManager manager) {
        LabeledData set = data.validation() != null ? data.validation() : data.train();
        double max = dev.mergenet.transfer.train.Evaluation.maxAbsScore(target, set, req.config().evalBatchSize(),
                manager);
        if (!Double.isFinite(max) || max > EXPLODED_SCORE) {
            throw new dev.mergenet.transfer.train.TrainingDivergedException(String.format("%s: the trained model's "
                    + "outputs on %s are %s (max |score| %s); nothing exported. Lower --lr or raise --keep best's "
                    + "chances with a validation set", req.target(), set.origin(),
                    Double.isFinite(max) ? "exploding" : "non-finite", max));
        }
    }

    private static Map<String, String> settings(Request req) {
        RunConfig c = req.config();
        Map<String, String> s = new LinkedHashMap<>();
        s.put("mode", c.mode().cliName());
        s.put("keep", c.keep().name().toLowerCase() + (c.patience() > 0 ? " patience=" + c.patience() : ""));
        if (c.mode().distils()) {
            s.put("kd", "alpha=" + c.kdAlpha() + " temperature=" + c.kdTemperature());
        }
        s.put("data", req.data());
        s.put("epochs", Integer.toString(c.epochs()));
        s.put("seed", Long.toString(c.seed()));
        if (req.norm().restore() || req.norm().preciseBn()) {
            s.put("normalization", normFlags(req.norm()));
        }
        s.put("optimizer", c.optimizer() + " lr=" + c.lr() + " momentum=" + c.momentum() + " wd=" + c.weightDecay()
                + " schedule=" + c.schedule() + " batch=" + c.batchSize());
        if (c.mode().usesAdapter()) {
            s.put("cycle", Integer.toString(c.cycle()));
            s.put("adapter_lr", Double.toString(c.adapterLr()));
            s.put("rank", Integer.toString(c.rank()));
            s.put("frozen_source", Boolean.toString(c.frozenSource()));
            s.put("adapter_output", c.adapterOutput().cliName() + (c.adapterOutput()
                    == dev.mergenet.transfer.adapter.AdapterOutput.GATED ? " gate_lr=" + c.gateLr() : ""));
            s.put("pairs", String.join(",", req.pairs()));
        }
        return s;
    }

    private static RunReport report(Request req, InputHashes hashes, OnnxModel targetModel, List<PairSpec> pairs, TrainableModel target,
                                    TrainableModel source, DataSplits data, TransferRun run,
                                    List<EpochRecord> history) {
        RunReport r = new RunReport(req.commandLine());
        r.put("target", req.target().toString());
        r.put("targetSha256", hashes.target());
        if (req.source() != null) {
            r.put("source", req.source().toString());
            r.put("sourceSha256", hashes.source());
        }
        r.put("settings", settings(req));
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("train", data.train().size());
        d.put("validation", data.validation() == null ? 0 : data.validation().size());
        d.put("test", data.test() == null ? 0 : data.test().size());
        d.put("sampleShape", data.train().sampleShape().toString());
        r.put("data", d);
        com.google.gson.JsonArray pa = new com.google.gson.JsonArray();
        for (int i = 0; i < pairs.size(); i++) {
            com.google.gson.JsonObject o = new com.google.gson.JsonObject();
            o.addProperty("target", pairs.get(i).target());
            o.addProperty("targetShape", target.weights().get(pairs.get(i).target()).getShape().toString());
            o.addProperty("source", pairs.get(i).source());
            o.addProperty("sourceShape", source.weights().get(pairs.get(i).source()).getShape().toString());
            o.addProperty("adapterParameters", run.adapter(i).arrays().parameterCount());
            o.addProperty("headWidths", java.util.Arrays.toString(run.adapter(i).headWidths()));
            pa.add(o);
        }
        r.putJson("pairs", pa);
        r.history(history);
        return r;
    }
}
