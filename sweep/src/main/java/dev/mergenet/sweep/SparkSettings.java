package dev.mergenet.sweep;

import dev.mergenet.core.errors.MergeNetException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;

/**
 * Where a sweep runs: the Spark master (local[N] by default), the threads each trial uses, and extra Spark
 * settings (--conf). The settings every sweep needs are forced here: speculation off (two attempts of a trial
 * would write the same files), the UI off unless asked for, the allocator and DJL settings on the executors.
 *
 * @param master          local[N], local[N,F], spark://HOST:PORT, yarn or k8s://...; null: local[cores / threads]
 * @param threadsPerTrial libtorch intra-op threads per trial (and Spark cores per task on a cluster)
 * @param device          cpu, gpu[:N] or auto (a GPU Spark assigns to the task wins)
 * @param conf            extra spark.* settings
 */
public record SparkSettings(String master, int threadsPerTrial, String device, Map<String, String> conf) {
    /** The heap of a trial's own JVM in local mode when spark.executor.memory does not say. */
    static final String DEFAULT_TRIAL_HEAP = "4g";
    /** By default at most this many trials at a time on one machine (each is a JVM with its own heap). */
    static final int MAX_DEFAULT_SLOTS = 8;

    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\d+)?])?");

    public SparkSettings {
        if (threadsPerTrial < 1) {
            throw new IllegalArgumentException("--threads-per-trial " + threadsPerTrial + ": must be at least 1");
        }
        conf = Map.copyOf(conf);
    }

    /**
     * The settings with their defaults filled in: without a master, local[N] with N = cores / threads; without
     * threads, 1 per trial (a share of the cores when more than {@value #MAX_DEFAULT_SLOTS} trials would run at
     * once), in local[N] the cores / N.
     */
    public static SparkSettings of(String master, Integer threadsPerTrial, String device, Map<String, String> conf) {
        int cores = Runtime.getRuntime().availableProcessors();
        boolean local = master == null || master.isBlank() || isLocal(master);
        int threads;
        if (threadsPerTrial != null) {
            threads = threadsPerTrial;
        } else if (master == null || master.isBlank()) {
            threads = defaultThreads(cores);
        } else if (local) {
            threads = Math.max(1, cores / localSlots(master, cores));
        } else {
            threads = 1; // more cores per executor than a worker has would leave the sweep waiting for executors
        }
        return new SparkSettings(master, threads, device, conf);
    }

    /** The default threads per trial on a machine with {@code cores}: 1, or a share when that would be many trials. */
    static int defaultThreads(int cores) {
        return Math.max(1, (cores + MAX_DEFAULT_SLOTS - 1) / MAX_DEFAULT_SLOTS);
    }

    /** The master: the one given, else local[N] with N = cores / threads per trial (at least 1). */
    public String effectiveMaster() {
        if (master != null && !master.isBlank()) {
            return master;
        }
        return "local[" + Math.max(1, Runtime.getRuntime().availableProcessors() / threadsPerTrial) + "]";
    }

    /** Spark's local mode (local-cluster[...] starts executor JVMs of its own, as a cluster). */
    public boolean local() {
        return isLocal(effectiveMaster());
    }

    private static boolean isLocal(String master) {
        return master.startsWith("local") && !master.startsWith("local-cluster");
    }

    /** Trials at a time in local mode (the N of local[N]; local[*]: the cores). */
    public int localSlots() {
        return localSlots(effectiveMaster(), Runtime.getRuntime().availableProcessors());
    }

    private static int localSlots(String master, int cores) {
        Matcher m = LOCAL.matcher(master.strip());
        if (!m.matches()) {
            throw new MergeNetException(
                    "--master " + master + ": expected local, local[N], local[*] or local[N,F] for local mode");
        }
        return m.group(1) == null ? 1 : m.group(1).equals("*") ? cores : Math.max(1, Integer.parseInt(m.group(1)));
    }

    /** The master, the trials at a time and their threads, as the sweep prints them at its start. */
    public String describe() {
        if (local()) {
            int n = localSlots();
            return String.format(
                    "%s (%d trial%s at a time, each in a JVM of its own with %d libtorch thread%s, heap %s)",
                    effectiveMaster(),
                    n,
                    n == 1 ? "" : "s",
                    threadsPerTrial,
                    threadsPerTrial == 1 ? "" : "s",
                    trialJvm().heap());
        }
        return String.format(
                "%s (%d libtorch thread%s and Spark core%s per trial)",
                effectiveMaster(), threadsPerTrial, threadsPerTrial == 1 ? "" : "s", threadsPerTrial == 1 ? "" : "s");
    }

    /**
     * How a task starts its trial's own JVM in local mode (sized by spark.executor.memory, which local mode has no
     * other use for); null on a cluster, where the executor JVM is the trial's.
     */
    public TrialJvm trialJvm() {
        if (!local()) {
            return null;
        }
        String heap = conf.getOrDefault(
                "spark.executor.memory", System.getProperty("spark.executor.memory", DEFAULT_TRIAL_HEAP));
        return TrialJvm.likeThisJvm(heap);
    }

    public SparkConf sparkConf(String appName) {
        SparkConf c = new SparkConf(); // spark.* system properties (spark-submit, tests) come in first
        c.setAppName(appName).setMaster(effectiveMaster());
        Map<String, String> s = new LinkedHashMap<>();
        s.put("spark.ui.enabled", "false");
        s.put("spark.task.maxFailures", "4");
        if (!local()) {
            // one trial per executor JVM at a time (one model trains at a time per JVM), with its threads
            s.put("spark.task.cpus", Integer.toString(threadsPerTrial));
            s.put("spark.executor.cores", Integer.toString(threadsPerTrial));
            // the executors load the same classes as this driver: the project's jars and classes folders, on a
            // machine (or shared filesystem) where these paths exist; a cluster without one takes spark.jars
            s.put("spark.executor.extraClassPath", System.getProperty("java.class.path"));
            s.put(
                    "spark.executor.extraJavaOptions",
                    "-Dai.djl.offline=" + System.getProperty("ai.djl.offline", "true"));
            for (String v : new String[] {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_ARENA_MAX"}) {
                if (System.getenv(v) != null) {
                    s.put("spark.executorEnv." + v, System.getenv(v));
                }
            }
        }
        s.forEach((k, v) -> {
            if (!c.contains(k)) {
                c.set(k, v);
            }
        });
        conf.forEach(c::set);
        c.set("spark.speculation", "false"); // two attempts of one trial would write the same files
        return c;
    }
}
