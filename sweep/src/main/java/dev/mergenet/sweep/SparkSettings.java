package dev.mergenet.sweep;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;

/**
 * Where a sweep runs: the Spark master (local[N] by default), the threads each trial uses, and extra Spark
 * settings (--conf). The settings every sweep needs are forced here: speculation off (two attempts of a trial
 * would write the same files), the UI off unless asked for, the allocator and DJL settings on the executors.
 *
 * @param master          local[N], spark://HOST:PORT, yarn or k8s://...; null: local[1]
 * @param threadsPerTrial libtorch intra-op threads per trial (and Spark cores per task on a cluster)
 * @param device          cpu, gpu[:N] or auto (a GPU Spark assigns to the task wins)
 * @param conf            extra spark.* settings
 */
public record SparkSettings(String master, int threadsPerTrial, String device, Map<String, String> conf) {
    public SparkSettings {
        if (threadsPerTrial < 1) {
            throw new IllegalArgumentException("--threads-per-trial " + threadsPerTrial + ": must be at least 1");
        }
        conf = Map.copyOf(conf);
    }

    /**
     * The master: the one given, else local[1]. DJL's PyTorch engine trains one model at a time per JVM, so in
     * local mode (executor = driver JVM) trials run one after another, each with all its threads; trials in
     * parallel need executor JVMs of their own (a standalone cluster, e.g. scripts/spark-local-cluster.sh).
     */
    public String effectiveMaster() {
        return master != null && !master.isBlank() ? master : "local[1]";
    }

    /** The default threads per trial: every core (local mode runs one trial at a time). */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    public boolean local() {
        return effectiveMaster().startsWith("local");
    }

    public SparkConf sparkConf(String appName) {
        SparkConf c = new SparkConf(); // spark.* system properties (spark-submit, tests) come in first
        c.setAppName(appName).setMaster(effectiveMaster());
        Map<String, String> s = new LinkedHashMap<>();
        s.put("spark.ui.enabled", "false");
        s.put("spark.task.maxFailures", "4");
        if (!local()) {
            // one trial per executor JVM at a time (see effectiveMaster), with its threads
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
