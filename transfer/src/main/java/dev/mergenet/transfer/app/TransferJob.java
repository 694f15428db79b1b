package dev.mergenet.transfer.app;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
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
import dev.mergenet.exporters.provenance.Provenance;
import dev.mergenet.importers.ImportOptions;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.analysis.PreciseBatchNorm;
import dev.mergenet.importers.edit.ClassifierHead;
import dev.mergenet.importers.edit.SoftmaxTail;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.transfer.adapter.AdapterOutput;
import dev.mergenet.transfer.compactor.CompactorPlan;
import dev.mergenet.transfer.config.AdapterSettings;
import dev.mergenet.transfer.config.Keep;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.config.Teacher;
import dev.mergenet.transfer.config.TrainingSettings;
import dev.mergenet.transfer.data.DataSpec;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.data.InputAdaptation;
import dev.mergenet.transfer.data.LabeledData;
import dev.mergenet.transfer.mergenet.MergeNetTransfer;
import dev.mergenet.transfer.mergenet.PairSpec;
import dev.mergenet.transfer.model.OnnxClassifier;
import dev.mergenet.transfer.model.OnnxWeightsOnly;
import dev.mergenet.transfer.model.TeacherEnsembleModel;
import dev.mergenet.transfer.model.TrainableModel;
import dev.mergenet.transfer.report.CurvePlot;
import dev.mergenet.transfer.report.RunReport;
import dev.mergenet.transfer.training.EpochCsv;
import dev.mergenet.transfer.training.EpochRecord;
import dev.mergenet.transfer.training.Evaluation;
import dev.mergenet.transfer.training.NormalizationRepair;
import dev.mergenet.transfer.training.TrainingDivergedException;
import dev.mergenet.transfer.training.TransferRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What `mergenet train` and `mergenet transfer` do, without the command line: load the ONNX models and data,
 * run the training, write the trained target back into its ONNX graph (with lineage), the JSON report and the
 * plot. The device is chosen by the caller.
 */
public final class TransferJob {
    /**
     * Inputs of one job; build one with {@link #builder(Path, String, RunConfig)}. {@code source} may be null (train
     * / alone).
     */
    public record Request(
            Path target,
            Path source,
            List<String> pairs,
            String data,
            String sourceData,
            InputAdaptation adaptation,
            InputAdaptation sourceAdaptation,
            int validationSize,
            int trainLimit,
            int evalLimit,
            RunConfig config,
            Integer numClasses,
            Path out,
            Path report,
            Path plot,
            boolean force,
            String commandLine,
            ExportSettings export,
            boolean compareAlone,
            Set<String> keepTied,
            InitialWeights.Init init,
            List<Path> moreTeachers,
            List<Double> teacherWeights,
            Normalization norm) {
        public Request {
            if (target == null || data == null || config == null) {
                throw new IllegalArgumentException("a job needs a target model, data and a run configuration");
            }
            pairs = pairs == null ? List.of() : List.copyOf(pairs);
            adaptation = adaptation == null ? InputAdaptation.NONE : adaptation;
            export = export == null ? ExportSettings.DEFAULT : export;
            keepTied = keepTied == null ? Set.of() : Set.copyOf(keepTied);
            init = init == null ? InitialWeights.Init.TARGET : init;
            moreTeachers = moreTeachers == null ? List.of() : List.copyOf(moreTeachers);
            teacherWeights = teacherWeights == null ? List.of() : List.copyOf(teacherWeights);
            norm = norm == null ? Normalization.NONE : norm;
        }

        /**
         * A request to train {@code target} on {@code data}; everything else starts unset (no source, no outputs,
         * the default validation split, no limits, default export settings).
         *
         * @param target the ONNX model to train (and export)
         * @param data   the data spec, e.g. fashion-mnist:DIR
         * @param config the run's settings
         * @return a builder
         */
        public static Builder builder(Path target, String data, RunConfig config) {
            return new Builder(target, data, config);
        }

        /** A builder holding this request's values. */
        public Builder toBuilder() {
            Builder b = new Builder(target, data, config);
            b.source = source;
            b.pairs = pairs;
            b.sourceData = sourceData;
            b.adaptation = adaptation;
            b.sourceAdaptation = sourceAdaptation;
            b.validationSize = validationSize;
            b.trainLimit = trainLimit;
            b.evalLimit = evalLimit;
            b.numClasses = numClasses;
            b.out = out;
            b.report = report;
            b.plot = plot;
            b.force = force;
            b.commandLine = commandLine;
            b.export = export;
            b.compareAlone = compareAlone;
            b.keepTied = keepTied;
            b.init = init;
            b.moreTeachers = moreTeachers;
            b.teacherWeights = teacherWeights;
            b.norm = norm;
            return b;
        }

        /** The alone baseline of this request: same target, seed, data and order; no outputs. */
        Request aloneBaseline() {
            Builder b = toBuilder();
            b.source = null;
            b.pairs = List.of();
            b.init = InitialWeights.Init.TARGET;
            b.moreTeachers = List.of();
            b.teacherWeights = List.of();
            b.sourceData = null;
            b.sourceAdaptation = null;
            b.config = config.withMode(Mode.ALONE).withCheckpoint(null, false);
            b.out = null;
            b.report = null;
            b.plot = null;
            b.compareAlone = false;
            return b.build();
        }

        /** Assembles a {@link Request}; {@link #build()} validates. */
        public static final class Builder {
            private final Path target;
            private final String data;
            private RunConfig config;
            private Path source;
            private List<String> pairs = List.of();
            private String sourceData;
            private InputAdaptation adaptation = InputAdaptation.NONE;
            private InputAdaptation sourceAdaptation;
            private int validationSize = -1;
            private int trainLimit;
            private int evalLimit;
            private Integer numClasses;
            private Path out;
            private Path report;
            private Path plot;
            private boolean force;
            private String commandLine;
            private ExportSettings export = ExportSettings.DEFAULT;
            private boolean compareAlone;
            private Set<String> keepTied = Set.of();
            private InitialWeights.Init init = InitialWeights.Init.TARGET;
            private List<Path> moreTeachers = List.of();
            private List<Double> teacherWeights = List.of();
            private Normalization norm = Normalization.NONE;

            private Builder(Path target, String data, RunConfig config) {
                this.target = target;
                this.data = data;
                this.config = config;
            }

            /** The source model and the pairs its weights feed (["auto"]: picked and printed). */
            public Builder source(Path model, List<String> pairNames) {
                source = model;
                pairs = pairNames;
                return this;
            }

            /** The co-trained source's own data (null: the target's batches). */
            public Builder sourceData(String spec) {
                sourceData = spec;
                return this;
            }

            /** How samples are adapted to the target's input (resize, channels, mean/std). */
            public Builder adaptation(InputAdaptation a) {
                adaptation = a;
                return this;
            }

            /** How samples are adapted to the source's input (its own data, or a frozen teacher's view). */
            public Builder sourceAdaptation(InputAdaptation a) {
                sourceAdaptation = a;
                return this;
            }

            /**
             * Validation samples drawn from the training pool (-1: 1/12), a fixed training subset and an evaluation
             * cap (0: none).
             */
            public Builder limits(int validation, int train, int eval) {
                validationSize = validation;
                trainLimit = train;
                evalLimit = eval;
                return this;
            }

            /** Re-head the target to this many classes before training (null: keep its head). */
            public Builder numClasses(Integer n) {
                numClasses = n;
                return this;
            }

            /** Where the model, JSON report and plot go (each may be null: not written). */
            public Builder outputs(Path model, Path reportFile, Path plotFile) {
                out = model;
                report = reportFile;
                plot = plotFile;
                return this;
            }

            /** Replace an existing output file (never an input). */
            public Builder force(boolean v) {
                force = v;
                return this;
            }

            /** The command line recorded in the report and printed to resume. */
            public Builder commandLine(String v) {
                commandLine = v;
                return this;
            }

            public Builder export(ExportSettings v) {
                export = v;
                return this;
            }

            /** First train the target alone with the same seed and order, for a paired difference. */
            public Builder compareAlone(boolean v) {
                compareAlone = v;
                return this;
            }

            /** --restore-norm, --fold-norm and --precise-bn. */
            public Builder normalization(Normalization n) {
                norm = n;
                return this;
            }

            /** Identity-aliased initializers kept tied at import (--keep-tied). */
            public Builder keepTied(Set<String> names) {
                keepTied = names;
                return this;
            }

            /** Where the target's initial weights come from (--init; default its own). */
            public Builder init(InitialWeights.Init v) {
                init = v;
                return this;
            }

            /** Teachers distilled together with the source, their logits averaged (--source repeated, kd mode). */
            public Builder moreTeachers(List<Path> v) {
                moreTeachers = v;
                return this;
            }

            /** One weight per teacher (--source order), normalized by their sum (--teacher-weights); empty: equal. */
            public Builder teacherWeights(List<Double> v) {
                teacherWeights = v;
                return this;
            }

            public Request build() {
                return new Request(
                        target,
                        source,
                        pairs,
                        data,
                        sourceData,
                        adaptation,
                        sourceAdaptation,
                        validationSize,
                        trainLimit,
                        evalLimit,
                        config,
                        numClasses,
                        out,
                        report,
                        plot,
                        force,
                        commandLine,
                        export,
                        compareAlone,
                        keepTied,
                        init,
                        moreTeachers,
                        teacherWeights,
                        norm);
            }
        }
    }

    /**
     * What training does about normalization: {@code restore} puts a BatchNormalization back after each Conv an
     * export folded it into (--restore-norm), {@code fold} folds them into the Convs again at export (--fold-norm),
     * {@code preciseBn} recomputes the running statistics over training batches before each validation (--precise-bn:
     * AUTO does it where a BatchNorm's momentum is PyTorch's 0.05 or less, whose statistics lag the weights).
     */
    public record Normalization(boolean restore, boolean fold, PreciseBn preciseBn) {
        public static final Normalization NONE = new Normalization(false, false, PreciseBn.AUTO);

        /** When to recompute the running statistics. */
        public enum PreciseBn {
            AUTO,
            ON,
            OFF
        }

        public Normalization {
            preciseBn = preciseBn == null ? PreciseBn.AUTO : preciseBn;
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
    public record Result(
            List<EpochRecord> history,
            Path model,
            RunReport report,
            long adapterParameters,
            int keptEpoch,
            Double aloneTestAccuracy,
            int testSamples,
            int classes) {
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

    /**
     * Runs the job: with {@code compareAlone}, first the alone baseline of the same seed and data order.
     *
     * @param req    what to train, on what, and where the outputs go
     * @param device where the models train
     * @param log    progress and notes (null: silent)
     * @return the history, the exported model, the report and the kept epoch
     */
    public static Result run(Request req, Device device, PrintStream log) {
        checkOutputs(req);
        Double alone = null;
        if (req.compareAlone() && req.config().mode().needsSource()) {
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

    /** The source and the other --source teachers as one frozen teacher whose logits are their mean. */
    private static TrainableModel withMoreTeachers(
            Request req, TrainableModel source, NDManager manager, PrintStream log) {
        if (req.moreTeachers().isEmpty()) {
            return source;
        }
        if (req.config().mode() != Mode.KD || !req.config().frozenSource()) {
            throw new MergeNetException("--source given " + (req.moreTeachers().size() + 1) + " times: several"
                    + " teachers are distilled in --mode kd with a frozen source only");
        }
        List<TrainableModel> teachers = new ArrayList<>(List.of(source));
        for (int i = 0; i < req.moreTeachers().size(); i++) {
            OnnxModel teacher = teacherModel(
                    req,
                    SoftmaxTail.trainingView(
                                    OnnxModelReader.read(req.moreTeachers().get(i)))
                            .model(),
                    i + 1,
                    log);
            teachers.add(new OnnxClassifier(OnnxImporter.load(teacher, manager), false));
        }
        double[] weights = req.teacherWeights().isEmpty()
                ? null
                : req.teacherWeights().stream().mapToDouble(Double::doubleValue).toArray();
        if (weights != null && log != null) {
            double total = Arrays.stream(weights).sum();
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < teachers.size(); i++) {
                parts.add(String.format(Locale.ROOT, "%s %.4g", teachers.get(i).origin(), weights[i] / total));
            }
            log.println("teachers: weighted mean of the logits, " + String.join(", ", parts));
        }
        return new TeacherEnsembleModel(teachers, weights);
    }

    /** --teacher-weights: one positive, finite weight per --source teacher, in order. */
    private static void checkTeacherWeights(Request req) {
        List<Double> w = req.teacherWeights();
        if (w.isEmpty()) {
            return;
        }
        String given = "--teacher-weights "
                + String.join(",", w.stream().map(v -> Double.toString(v)).toList());
        int teachers = 1 + req.moreTeachers().size();
        if (req.source() == null || w.size() != teachers) {
            throw new MergeNetException(given + ": " + w.size() + " weights for "
                    + (req.source() == null ? 0 : teachers) + " teachers; give one per --source, in order");
        }
        for (int i = 0; i < w.size(); i++) {
            if (!(w.get(i) > 0) || Double.isInfinite(w.get(i))) {
                Path teacher = i == 0 ? req.source() : req.moreTeachers().get(i - 1);
                throw new MergeNetException(given + ": the weight of teacher " + (i + 1) + " (" + teacher + ") is "
                        + w.get(i) + "; every weight must be a positive number");
            }
        }
    }

    /**
     * The model a distilling run learns from: the source as given, or with --teacher random the same graph
     * re-initialized from the run's seed ({@code index} tells the --source teachers apart); weight selection still
     * reads the trained source.
     */
    private static OnnxModel teacherModel(Request req, OnnxModel source, int index, PrintStream log) {
        if (req.config().distillation().teacher() != Teacher.RANDOM) {
            return source;
        }
        long seed = RandomTeacher.seed(req.config().training().seed(), index);
        RandomTeacher.Reinitialized r = RandomTeacher.of(source, seed);
        if (log != null) {
            log.println(RandomTeacher.describe(source.origin(), seed, r));
        }
        return r.model();
    }

    private static Result runOne(Request req, Device device, PrintStream log, Double aloneTest) {
        // the target is read, hashed and re-headed once here; the export writes this same model back
        OriginalModel original = OriginalModel.read(
                req.target(),
                req.numClasses() == null
                        ? null
                        : new TrainingCheckpoint.HeadEdit(
                                req.numClasses(), req.config().training().seed()));
        InputHashes hashes = InputHashes.of(req, original.sha256());
        OnnxModel targetModel = original.model();
        if (original.replaced() != null && log != null) {
            ClassifierHead.Replaced head = original.replaced();
            log.printf(
                    "re-headed %s: %s %d -> %d classes (%d features)%n",
                    req.target().getFileName(), head.node(), head.oldClasses(), head.newClasses(), head.features());
        }
        SoftmaxTail.TrainingView targetView = SoftmaxTail.trainingView(targetModel);
        targetModel = targetView.model();
        OnnxModel sourceModel = req.source() == null
                ? null
                : SoftmaxTail.trainingView(OnnxModelReader.read(req.source())).model();
        Mode mode = req.config().mode();
        if (mode.needsSource() && sourceModel == null) {
            throw new MergeNetException("--mode " + mode.cliName() + " needs --source");
        }
        if (req.init().compacts() && mode.usesAdapter()) {
            throw new MergeNetException(StepComposition.compactorsWithAdapter(mode));
        }
        checkTeacherWeights(req);
        if (req.config().distillation().teacher() == Teacher.RANDOM && !mode.distils()) {
            throw new MergeNetException("--teacher random is the control of distillation: --mode " + mode.cliName()
                    + " does not distil (use kd, mergenet+kd or random-source+kd)");
        }
        DataSplits data = DataSpec.parse(req.data())
                .load(req.adaptation(), req.validationSize(), 0)
                .limitTrain(req.trainLimit(), 1)
                .limitEval(req.evalLimit());
        DataCard dataCard = DataCard.of(req, data);
        DataSplits sourceData = req.sourceData() == null
                ? null
                : DataSpec.parse(req.sourceData())
                        .load(req.sourceAdaptation(), req.validationSize(), 0)
                        .limitTrain(req.trainLimit(), 1)
                        .limitEval(req.evalLimit());
        try (NDManager manager = TorchEngine.newManager(device)) {
            targetModel = NormalizationRepair.prepare(
                    targetModel,
                    req.norm().restore(),
                    original.replaced() != null,
                    data.train(),
                    req.config().training().batchSize(),
                    req.config().training().seed(),
                    manager,
                    log);
            // value-merged initializers are split at import, except names the user keeps tied (--keep-tied)
            OnnxGraphBlock targetBlock =
                    OnnxImporter.load(targetModel, manager, ImportOptions.DEFAULT.withKeepTied(req.keepTied()));
            TrainableModel target = new OnnxClassifier(targetBlock, true);
            InitialWeights.apply(
                    req.init(),
                    sourceModel,
                    targetModel,
                    target,
                    req.config().training().seed(),
                    manager,
                    log);
            CompactorPlan compactors = InitialWeights.compactorPlan(
                    req.init(),
                    sourceModel,
                    targetModel,
                    req.config().training().seed(),
                    log);
            boolean sourceRuns = mode.sourceRuns(req.config().frozenSource());
            // a source that never runs (frozen MergeNet, random-source control) is read for its weights only
            TrainableModel source = withMoreTeachers(
                    req,
                    sourceModel == null || !mode.needsSource()
                            ? null
                            : sourceRuns
                                    ? new OnnxClassifier(
                                            OnnxImporter.load(teacherModel(req, sourceModel, 0, log), manager),
                                            !req.config().frozenSource())
                                    : new OnnxWeightsOnly(sourceModel, manager),
                    manager,
                    log);
            try (target;
                    source) {
                checkClasses(target, data.train(), manager, "target", true);
                // a frozen teacher sees the training set through its own input adaptation (--source-resize, ...)
                DataSplits teacherData = mode.frozenTeacher(req.config().frozenSource())
                                && sourceData == null
                                && req.sourceAdaptation() != null
                                && !req.sourceAdaptation().isIdentity()
                        ? DataSpec.parse(req.data())
                                .load(req.sourceAdaptation(), req.validationSize(), 0)
                                .limitTrain(req.trainLimit(), 1)
                                .limitEval(req.evalLimit())
                        : null;
                if (source != null && sourceRuns) {
                    checkClasses(
                            source,
                            sourceData != null
                                    ? sourceData.train()
                                    : teacherData != null ? teacherData.train() : data.train(),
                            manager,
                            "source",
                            false);
                }
                List<PairSpec> pairs =
                        mode.usesAdapter() ? PairSpec.resolve(req.pairs(), target, source, log) : List.of();
                if (log != null) {
                    log.printf(
                            "data: %d train / %d validation / %s test samples of shape %s, %d classes%n",
                            data.train().size(),
                            data.validation() == null ? 0 : data.validation().size(),
                            data.test() == null
                                    ? "no"
                                    : Integer.toString(data.test().size()),
                            data.train().sampleShape(),
                            data.train().classes());
                    // what each model is fed: the source inherits --mean/--std, not --resize/--channels
                    log.printf(
                            "input: target %s%s%n",
                            req.adaptation().describe(),
                            source == null
                                    ? ""
                                    : "; source "
                                            + (req.sourceAdaptation() == null
                                                    ? "none"
                                                    : req.sourceAdaptation().describe()));
                }
                TransferRun run = StepComposition.run(
                                req.config(),
                                target,
                                source,
                                pairs,
                                data,
                                sourceData,
                                teacherData == null ? null : teacherData.train(),
                                compactors,
                                manager,
                                log)
                        .identity(identity(req, hashes));
                boolean recompute = switch (req.norm().preciseBn()) {
                    case ON -> true;
                    case OFF -> false;
                    case AUTO -> NormalizationRepair.lagging(targetBlock);
                };
                PreciseBatchNorm precise = recompute ? NormalizationRepair.precise(targetBlock, manager) : null;
                if (precise != null) {
                    run.beforeEvaluation(() -> NormalizationRepair.recompute(
                            precise,
                            data.train(),
                            req.config().training().batchSize(),
                            req.config().training().seed(),
                            manager));
                }
                try (run;
                        precise) {
                    MergeNetTransfer transfer =
                            run.participant(MergeNetTransfer.class).orElse(null);
                    InputPreprocessing preprocessing =
                            req.adaptation().describing(data.train().rawSampleShape());
                    List<String> classNames = data.train().classNames();
                    TrainingCheckpoint.HeadEdit head = req.numClasses() == null
                            ? null
                            : new TrainingCheckpoint.HeadEdit(
                                    req.numClasses(), req.config().training().seed());
                    run.exportHeader(h -> TrainingCheckpoint.Header.of(
                            hashes.target(), head, preprocessing, classNames, lineage(req, hashes, dataCard, h)));
                    long adapterParameters = transfer == null ? 0 : transfer.parameterCount();
                    if (log != null && transfer != null && transfer.pairCount() > 0) {
                        transfer.notes().forEach(log::println);
                        long targetParams = target.weights().values().stream()
                                .mapToLong(a -> a.getShape().size())
                                .sum();
                        log.printf(
                                "adapter: %,d parameters (%.1fx the target's %,d), head widths %s%n",
                                adapterParameters,
                                (double) adapterParameters / targetParams,
                                targetParams,
                                Arrays.toString(transfer.adapter(0).headWidths()));
                    }
                    Map<String, Double> teacherAccuracy = mode.frozenTeacher(
                                    req.config().frozenSource())
                            ? teacherAccuracy(
                                    source, teacherData != null ? teacherData : data, req.config(), manager, log)
                            : Map.of();
                    List<EpochRecord> history;
                    InterruptNotice notice = new InterruptNotice(run, req, log);
                    try {
                        history = run.run();
                    } finally {
                        notice.close();
                    }
                    RunReport report = report(req, hashes, pairs, target, source, data, transfer, history);
                    report.put("keep", req.config().control().keep().cliName());
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
                    if (log != null
                            && req.config().control().keep() == Keep.BEST
                            && run.keptEpoch() != run.epochsDone()) {
                        log.printf(
                                "keeping epoch %d, the best validation accuracy (--keep best; a tie keeps the "
                                        + "earliest epoch)%n",
                                run.keptEpoch());
                    }
                    checkOutputsFinite(target, data, req, manager);
                    checkValidationLoss(history, run.keptEpoch(), data, req);
                    Path written = null;
                    if (req.out() != null) {
                        written = export(
                                req,
                                target,
                                original,
                                new Deployment(preprocessing, req.export().embedPreprocessing(), classNames),
                                lineage(req, hashes, dataCard, history),
                                report);
                    }
                    if (req.report() != null) {
                        report.write(req.report());
                        EpochCsv.write(EpochCsv.besideReport(req.report()), history);
                    }
                    if (req.plot() != null) {
                        CurvePlot.write(
                                req.plot(),
                                CurvePlot.title(mode.cliName(), req.target(), mode.needsSource() ? req.source() : null),
                                history);
                    }
                    return new Result(
                            history,
                            written,
                            report,
                            adapterParameters,
                            run.keptEpoch(),
                            aloneTest,
                            data.test() == null ? 0 : data.test().size(),
                            data.train().classes());
                }
            }
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
    private static void checkClasses(
            TrainableModel model, LabeledData data, NDManager manager, String role, boolean exact) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = data.features(scope, new int[] {0}, 0, 1);
            NDArray y;
            try {
                y = model.forward(x, false);
            } catch (RuntimeException e) {
                String flags = role.equals("source")
                        ? "--source-resize HxW, --source-channels N"
                        : "--resize HxW, --channels N, --mean/--std";
                throw new MergeNetException(
                        model.origin() + ": the " + role + " model cannot run on samples of shape " + data.sampleShape()
                                + " (" + e.getMessage() + "); adapt its input with " + flags,
                        e);
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
    private static Path export(
            Request req,
            TrainableModel target,
            OriginalModel original,
            Deployment deployment,
            Lineage lineage,
            RunReport report) {
        Map<String, NDArray> trained = new LinkedHashMap<>(target.weights());
        trained.putAll(target.state());
        ExportService.Result r = ExportService.export(exportRequest(req)
                .original(original)
                .trained(trained, "the trained target")
                .lineage(lineage)
                .deployment(deployment)
                .build());
        report.put("exportedModel", r.file().model().toString());
        return r.file().model();
    }

    /** Output, precision and write options of --out (the source model is protected like the target). */
    private static ExportService.Builder exportRequest(Request req) {
        List<Path> inputs = new ArrayList<>();
        if (req.source() != null) {
            inputs.add(req.source());
        }
        return ExportService.builder(req.target(), req.out())
                .precision(req.export().precision())
                .write(new WriteOptions(
                        req.force() || ownOutput(req), req.export().externalData(), inputs))
                .norm(new ExportService.NormEdit(
                        req.norm().restore(), req.norm().fold()));
    }

    /**
     * With --resume, --out may be the run's own earlier export: its checkpoint is there (whose settings the resume
     * checks) and the file's lineage says it was trained from this target. Overwriting it needs no --force.
     */
    private static boolean ownOutput(Request req) {
        Path ckpt = req.config().control().checkpoint();
        if (!req.config().control().resume()
                || ckpt == null
                || !Files.isRegularFile(ckpt)
                || !Files.isRegularFile(req.out())) {
            return false;
        }
        try (InputStream in = Files.newInputStream(req.out())) {
            Optional<Lineage> l = Provenance.lineage(ModelProto.parseFrom(in));
            return l.isPresent()
                    && !l.get().operation().equals("export")
                    && l.get().inputModelSha256().equals(ModelHash.sha256(req.target()));
        } catch (IOException e) {
            return false; // not a model this run wrote: the ordinary --force rule applies
        }
    }

    /** SHA-256 of the input models, read once per job (lineage is stamped into every epoch's checkpoint). */
    private record InputHashes(String target, String source) {
        static InputHashes of(Request req, String targetSha256) {
            return new InputHashes(targetSha256, req.source() == null ? null : ModelHash.sha256(req.source()));
        }
    }

    /** What the model card records of the target's data: kind, subset sizes used, fingerprint; no local path. */
    private record DataCard(String kind, String sizes, String sha256) {
        static DataCard of(Request req, DataSplits data) {
            return new DataCard(DataSpec.parse(req.data()).kind(), data.sizes(), data.sha256());
        }
    }

    private static Lineage lineage(Request req, InputHashes hashes, DataCard data, List<EpochRecord> history) {
        Mode mode = req.config().mode();
        String op = req.source() == null || !mode.needsSource() ? "train" : "transfer";
        Map<String, String> settings = settings(req);
        settings.put("data_kind", data.kind());
        settings.put("data_sizes", data.sizes());
        settings.put("data_sha256", data.sha256());
        settings.put("data_sha256_of", DataSplits.FINGERPRINT_METHOD);
        Lineage lineage =
                new Lineage(op, hashes.target(), op.equals("transfer") ? hashes.source() : null, settings, Map.of());
        if (history.isEmpty()) {
            return lineage;
        }
        // the metrics of the epoch whose weights are shipped: the best validation epoch with --keep best
        EpochRecord last = history.get(keptEpoch(req.config().control().keep(), history) - 1);
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
    static int keptEpoch(Keep keep, List<EpochRecord> history) {
        if (keep == Keep.BEST) {
            for (int i = history.size() - 1; i >= 0; i--) {
                if (history.get(i).bestSoFar) {
                    return i + 1;
                }
            }
        }
        return history.size();
    }

    /** Model and data identity, part of the checkpoint's fingerprint. */
    private static Map<String, String> identity(Request req, InputHashes hashes) {
        Map<String, String> id = new LinkedHashMap<>();
        id.put("target-sha256", hashes.target());
        if (req.source() != null && req.config().mode().needsSource()) {
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
        if (req.norm().restore() || req.norm().preciseBn() != Normalization.PreciseBn.AUTO) {
            id.put("normalization", normFlags(req.norm()));
        }
        // compactor runs only, so the fingerprints of earlier checkpoints (other inits) stay as they were
        if (req.init().compacts()) {
            AdapterSettings a = req.config().adapter();
            id.put("init", req.init().cliName());
            id.put("compactors", "adapter-lr " + a.lr() + ", compact-until " + a.compactUntil());
            if (!req.config().mode().needsSource()) {
                id.put("source-sha256", hashes.source());
            }
        }
        if (!req.keepTied().isEmpty()) {
            id.put("keep-tied", String.join(",", new java.util.TreeSet<>(req.keepTied())));
        }
        return id;
    }

    /** The frozen teacher's accuracy on validation and test, in eval mode, through its own view of the data. */
    private static Map<String, Double> teacherAccuracy(
            TrainableModel teacher, DataSplits view, RunConfig cfg, NDManager manager, PrintStream log) {
        Map<String, Double> acc = new LinkedHashMap<>();
        if (view.validation() != null) {
            acc.put(
                    "validation",
                    Evaluation.evaluate(
                            teacher, view.validation(), cfg.training().evalBatchSize(), manager)[1]);
        }
        if (view.test() != null) {
            acc.put(
                    "test",
                    Evaluation.evaluate(teacher, view.test(), cfg.training().evalBatchSize(), manager)[1]);
        }
        if (log != null) {
            log.printf(
                    "teacher (frozen, eval mode): %s%n",
                    acc.entrySet().stream()
                            .map(e -> String.format("%s %.2f%%", e.getKey(), 100 * e.getValue()))
                            .toList());
        }
        return acc;
    }

    /** A model whose validation outputs are non-finite or explode is an error, not an output. */
    private static String normFlags(Normalization n) {
        List<String> flags = new ArrayList<>();
        if (n.restore()) {
            flags.add("--restore-norm");
        }
        if (n.fold()) {
            flags.add("--fold-norm");
        }
        if (n.preciseBn() != Normalization.PreciseBn.AUTO) {
            flags.add("--precise-bn " + n.preciseBn().name().toLowerCase(java.util.Locale.ROOT));
        }
        return String.join(" ", flags);
    }

    /**
     * The validation-explosion rule: a kept epoch whose validation loss is --max-loss-ratio times a uniform guess's
     * (ln classes) or more is refused, as a training loss that grows so far is.
     */
    private static void checkValidationLoss(List<EpochRecord> history, int kept, DataSplits data, Request req) {
        double ratio = req.config().control().maxLossRatio();
        if (ratio <= 0 || kept < 1 || kept > history.size() || data.validation() == null) {
            return;
        }
        double loss = history.get(kept - 1).targetValLoss;
        double uniform = Math.log(Math.max(2, data.train().classes()));
        if (!Double.isFinite(loss) || loss > ratio * uniform) {
            throw new TrainingDivergedException(String.format(
                    Locale.ROOT,
                    "%s: the kept epoch %d has "
                            + "validation loss %,.2f, more than --max-loss-ratio %s times a uniform guess's (%.2f): its "
                            + "validation outputs exploded; nothing exported. Lower --lr",
                    req.target(),
                    kept,
                    loss,
                    ratio,
                    uniform));
        }
    }

    private static void checkOutputsFinite(TrainableModel target, DataSplits data, Request req, NDManager manager) {
        LabeledData set = data.validation() != null ? data.validation() : data.train();
        double max = Evaluation.maxAbsScore(target, set, req.config().training().evalBatchSize(), manager);
        if (!Double.isFinite(max) || max > EXPLODED_SCORE) {
            throw new TrainingDivergedException(String.format(
                    "%s: the trained model's "
                            + "outputs on %s are %s (max |score| %s); nothing exported. Lower --lr or raise --keep best's "
                            + "chances with a validation set",
                    req.target(), set.origin(), Double.isFinite(max) ? "exploding" : "non-finite", max));
        }
    }

    private static Map<String, String> settings(Request req) {
        RunConfig c = req.config();
        Map<String, String> s = new LinkedHashMap<>();
        TrainingSettings t = c.training();
        AdapterSettings a = c.adapter();
        s.put("mode", c.mode().cliName());
        s.put(
                "keep",
                c.control().keep().cliName()
                        + (c.control().patience() > 0
                                ? " patience=" + c.control().patience()
                                : ""));
        if (c.mode().distils()) {
            s.put(
                    "kd",
                    "alpha=" + c.distillation().alpha() + " temperature="
                            + c.distillation().temperature()
                            + (c.distillation().teacher() == Teacher.TRAINED
                                    ? ""
                                    : " teacher=" + c.distillation().teacher().cliName())
                            + (c.distillation().warmupEpochs() > 0
                                    ? " warmup=" + c.distillation().warmupEpochs()
                                    : ""));
        }
        s.put("data", DataSpec.parse(req.data()).shippedName());
        s.put("epochs", Integer.toString(t.epochs()));
        s.put("seed", Long.toString(t.seed()));
        if (req.norm().restore() || req.norm().preciseBn() != Normalization.PreciseBn.AUTO) {
            s.put("normalization", normFlags(req.norm()));
        }
        s.put(
                "optimizer",
                t.optimizer().cliName() + " lr=" + t.lr() + " momentum=" + t.momentum() + " wd=" + t.weightDecay()
                        + " schedule=" + t.schedule().cliName() + " batch=" + t.batchSize());
        if (c.mode().usesAdapter()) {
            s.put("cycle", Integer.toString(a.cycle()));
            s.put("adapter_lr", Double.toString(a.lr()));
            s.put("rank", Integer.toString(a.rank()));
            s.put("frozen_source", Boolean.toString(c.frozenSource()));
            s.put(
                    "adapter_output",
                    a.output().cliName() + (a.output() == AdapterOutput.GATED ? " gate_lr=" + a.gateLr() : ""));
            s.put("pairs", String.join(",", req.pairs()));
        }
        return s;
    }

    private static RunReport report(
            Request req,
            InputHashes hashes,
            List<PairSpec> pairs,
            TrainableModel target,
            TrainableModel source,
            DataSplits data,
            MergeNetTransfer transfer,
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
        JsonArray pa = new JsonArray();
        for (int i = 0; i < pairs.size(); i++) {
            JsonObject o = new JsonObject();
            o.addProperty("target", pairs.get(i).target());
            o.addProperty(
                    "targetShape",
                    target.weights().get(pairs.get(i).target()).getShape().toString());
            o.addProperty("source", pairs.get(i).source());
            o.addProperty(
                    "sourceShape",
                    source.weights().get(pairs.get(i).source()).getShape().toString());
            o.addProperty("adapterParameters", transfer.adapter(i).arrays().parameterCount());
            o.addProperty("headWidths", Arrays.toString(transfer.adapter(i).headWidths()));
            pa.add(o);
        }
        r.putJson("pairs", pa);
        r.history(history);
        return r;
    }
}
