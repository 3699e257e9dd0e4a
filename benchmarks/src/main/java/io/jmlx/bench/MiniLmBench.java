package io.jmlx.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.models.bert.BertEmbedder;
import io.jmlx.models.bert.EncoderModel;
import io.jmlx.models.bert.Vectors;
import io.jmlx.nn.Quantization;
import io.jmlx.samples.Sentences;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * MiniLM (all-MiniLM-L6-v2) end to end: every built-in sample sentence (280, 11 tokens at the median, up to 128)
 * tokenized and embedded in batches of 32. {@code engine}: {@code jmlx-f32} (the ONNX file's weights
 * in jmlx's BERT), {@code jmlx-q4} (the same quantized to 4 bits, group 64), {@code ort-f32} (ONNX Runtime on the
 * ONNX file) and {@code ort-int8} (ONNX Runtime on the int8 export of the same model). ONNX Runtime gets the same
 * batches (sorted by length, padded, attention masks) and its token states are mean-pooled and normalised as jmlx's
 * are. One thread each: jmlx with {@code jmlx.threads=1} (its ops run on the default stream's one thread, the caller
 * waiting; no kernel pool), ONNX Runtime with one intra-op and one inter-op thread (it runs on the calling thread).
 * Measured with {@code /usr/bin/time} on a 2-vCPU machine, both processes use about one core (jmlx 107%, with the
 * JIT and the garbage collector's threads; ONNX Runtime 98%).
 */
public class MiniLmBench extends JmlxBenchmark {
    /** Sentences per batch. */
    static final int BATCH = 32;

    /** Which implementation embeds. */
    @Param({"jmlx-q4", "jmlx-f32", "ort-f32", "ort-int8"})
    public String engine;

    /** Kernel threads ({@code jmlx.threads}) and ONNX Runtime intra-op threads. */
    @Param({"1"})
    public int threads;

    private List<String> sentences;
    private ModelCheckpoint checkpoint;
    private BertEmbedder jmlx;
    private OrtEnvironment env;
    private OrtSession session;
    private int[][] ids;
    private Integer[] byLength;

    /** Loads the model (and quantizes it, or opens the ONNX Runtime session), and tokenizes the sentences. */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        KernelChoice.select("vector", threads);
        sentences = Sentences.all();
        Path cache = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "jmlx-bench"));
        Path onnx = EncoderModel.MINILM.onnxFile(cache);
        checkpoint = ModelCheckpoint.open(onnx);
        jmlx = BertEmbedder.load(EncoderModel.MINILM, checkpoint);
        ids = new int[sentences.size()][];
        byLength = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = jmlx.tokenizer().encode(sentences.get(i));
            byLength[i] = i;
        }
        Arrays.sort(byLength, Comparator.comparingInt(i -> ids[i].length));
        switch (engine) {
            case "jmlx-f32" -> {}
            case "jmlx-q4" -> Quantization.quantize(jmlx.model(), 64, 4);
            case "ort-f32", "ort-int8" -> {
                env = OrtEnvironment.getEnvironment();
                OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                options.setIntraOpNumThreads(threads);
                options.setInterOpNumThreads(1);
                Path file = engine.equals("ort-f32") ? onnx : int8File(cache);
                session = env.createSession(file.toString(), options);
            }
            default ->
                throw new IllegalArgumentException(
                        "engine must be jmlx-q4, jmlx-f32, ort-f32 or ort-int8 but is " + engine);
        }
        embed();
    }

    /** Closes the session and the checkpoint. */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (session != null) {
            session.close();
        }
        checkpoint.close();
    }

    /** All sentences, embedded in batches; returns a value of the last vector. */
    @Benchmark
    public float embed() throws OrtException {
        if (session == null) {
            return jmlx.embed(sentences, BATCH).getLast()[0];
        }
        // Tokenized again, as jmlx's embed does, so that both count the same work.
        for (int i = 0; i < ids.length; i++) {
            ids[i] = jmlx.tokenizer().encode(sentences.get(i));
        }
        float last = 0;
        for (int from = 0; from < ids.length; from += BATCH) {
            last = ortBatch(from, Math.min(BATCH, ids.length - from));
        }
        return last;
    }

    /** One batch on ONNX Runtime, pooled as jmlx pools; the first value of its last vector. */
    private float ortBatch(int from, int size) throws OrtException {
        int length = ids[byLength[from + size - 1]].length;
        long[] input = new long[size * length];
        long[] mask = new long[size * length];
        for (int b = 0; b < size; b++) {
            int[] sentence = ids[byLength[from + b]];
            for (int t = 0; t < sentence.length; t++) {
                input[b * length + t] = sentence[t];
                mask[b * length + t] = 1;
            }
        }
        long[] shape = {size, length};
        try (OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(input), shape);
                OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
                OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[size * length]), shape);
                OrtSession.Result out =
                        session.run(Map.of("input_ids", a, "attention_mask", m, "token_type_ids", types))) {
            FloatBuffer states = ((OnnxTensor) out.get(0)).getFloatBuffer();
            int d = states.capacity() / (size * length);
            float[] pooled = new float[d];
            for (int b = 0; b < size; b++) {
                int tokens = ids[byLength[from + b]].length;
                Arrays.fill(pooled, 0f);
                for (int t = 0; t < tokens; t++) {
                    for (int j = 0; j < d; j++) {
                        pooled[j] += states.get((b * length + t) * d + j);
                    }
                }
                for (int j = 0; j < d; j++) {
                    pooled[j] /= tokens;
                }
                Vectors.normalize(pooled);
            }
            return pooled[0];
        }
    }

    /** MiniLM's int8 ONNX export, copied once from its jar on the class path. */
    private static Path int8File(Path cache) throws IOException {
        String name = "all-minilm-l6-v2-q.onnx";
        Path file = cache.resolve(name);
        if (!Files.exists(file)) {
            try (InputStream in = MiniLmBench.class.getResourceAsStream("/" + name)) {
                if (in == null) {
                    throw new UncheckedIOException(new IOException(name + " is not on the class path"));
                }
                Path temp = Files.createTempFile(cache, "." + name, ".tmp");
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        return file;
    }

    static Workload workload(BenchmarkParams p) {
        return new Workload("MiniLM " + p.getParam("engine") + " 280 sentences b" + BATCH, Double.NaN, Double.NaN);
    }
}
