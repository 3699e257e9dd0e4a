package io.jmlx.models.llama;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.nn.Calibration;
import io.jmlx.nn.Child;
import io.jmlx.nn.Embedding;
import io.jmlx.nn.Layer;
import io.jmlx.nn.Linear;
import io.jmlx.nn.ModelLoading;
import io.jmlx.nn.Module;
import io.jmlx.nn.Quantization;
import io.jmlx.nn.QuantizationResult;
import io.jmlx.nn.QuantizeDecision;
import io.jmlx.nn.TiedHead;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.method.QuantizationMethod;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * A Llama causal language model (mlx-lm's {@code llama.Model}) built from {@code io.jmlx.nn} layers, with the module
 * paths of Hugging Face / mlx-lm checkpoints ({@code model.embed_tokens}, {@code model.layers.N.self_attn.q_proj},
 * {@code model.layers.N.mlp.gate_proj}, {@code model.norm}, and {@code lm_head} when the head is not tied), so a
 * checkpoint loads as it is. Batch size 1: token sequences are {@code int[]}.
 */
public final class Llama extends Module {
    private final LlamaConfig config;
    private final Child<LlamaModel> model;
    private final Child<Layer> lmHead;

    /** A model of the given sizes with random weights (load a checkpoint into it, or use {@link #load}). */
    public Llama(LlamaConfig config) {
        this.config = config;
        this.model = addChild("model", LlamaModel.class, new LlamaModel(config));
        this.lmHead = config.tieWordEmbeddings()
                ? null
                : addChild("lm_head", Layer.class, new Linear(config.hiddenSize(), config.vocabSize(), false));
    }

    /**
     * The model stored in {@code checkpoint}: built from its {@code config.json}, with the layers the checkpoint
     * stores quantized made quantized (mlx-lm's rule), then every weight assigned strictly. The weights stay views of
     * the mapped files, so keep the checkpoint open while the model is used.
     */
    public static Llama load(ModelCheckpoint checkpoint) {
        Llama llama = new Llama(LlamaConfig.from(checkpoint.config()));
        ModelLoading.load(checkpoint, llama);
        return llama;
    }

    /** The sizes this model was built with. */
    public LlamaConfig config() {
        return config;
    }

    /**
     * Quantizes the model in place as mlx-lm's {@code convert} does: every {@code Linear} and the embedding whose
     * input width is a multiple of {@code groupSize} (affine mode); the others (TinyStories' {@code down_proj}, 172
     * wide) stay dense. Round to nearest, MLX's bytes.
     */
    public QuantizationResult quantize(int groupSize, int bits) {
        return quantize(
                new QuantizationSettings(groupSize, bits, QuantizationMode.AFFINE), QuantizationMethod.RTN, null);
    }

    /**
     * Quantizes the same layers as {@link #quantize(int, int)} with {@code settings} and {@code method};
     * {@code calibration} (e.g. {@link DecoderCalibration#selfGenerated}) is needed by calibrated methods.
     */
    public QuantizationResult quantize(
            QuantizationSettings settings, QuantizationMethod method, Calibration calibration) {
        int groupSize = settings.groupSize();
        return Quantization.quantize(
                this,
                settings,
                (path, m) -> QuantizeDecision.of(
                        switch (m) {
                            case Linear l -> l.inputDims() % groupSize == 0;
                            case Embedding e -> e.weight().dim(1) % groupSize == 0;
                            default -> false;
                        }),
                method,
                calibration);
    }

    /**
     * The logits {@code [tokens.length, vocab]} (float32) for {@code tokens} placed after the tokens {@code cache}
     * holds; the cache then holds them too.
     */
    public Array logits(int[] tokens, KvCache cache) {
        Array h = model.get().forward(Array.of(tokens, DType.INT32, tokens.length), cache);
        return head(h);
    }

    /** The output head: {@code lm_head}, or the tied embedding table used as a linear layer. */
    private Array head(Array h) {
        if (lmHead != null) {
            return lmHead.get().forward(h);
        }
        if (model.get().embedTokens() instanceof TiedHead tied) {
            return tied.asLinear(h);
        }
        throw new IllegalStateException("model.embed_tokens must be an Embedding or QuantizedEmbedding (a TiedHead) "
                + "but is " + model.get().embedTokens().getClass().getName());
    }

    /**
     * The next greedy token after {@code pending} (placed after what {@code cache} holds, which then holds it too): the
     * argmax of the last position's logits, the first on ties, as a pending uint32 array of one element (wait for it
     * with {@code toIntArray()}, or suspend on it from Kotlin).
     */
    public Array nextToken(int[] pending, KvCache cache) {
        Array logits = logits(pending, cache);
        int rows = logits.dim(0);
        Array last = Jmlx.slice(logits, new int[] {rows - 1, 0}, new int[] {rows, logits.dim(1)});
        return Jmlx.argmax(last, -1, false);
    }

    /** An empty key/value cache for this model. */
    public KvCache newCache() {
        return new KvCache(config.numLayers());
    }

    /**
     * Greedy decoding: the {@code maxTokens} tokens that follow {@code prompt} (each the argmax of the logits, the
     * first on ties), computed one at a time as the iterator is read. {@link Generation} samples and stops at end of
     * text too.
     */
    public Iterator<Integer> generate(int[] prompt, int maxTokens) {
        return new Generation(this, prompt, maxTokens, Sampler.greedy(), Set.of());
    }

    /** {@link #generate(int[], int)}, handing each token to {@code onToken} as soon as it is chosen. */
    public void generate(int[] prompt, int maxTokens, IntConsumer onToken) {
        generate(prompt, maxTokens).forEachRemaining(onToken::accept);
    }

    /** A teacher-forced loss: the mean negative log-likelihood (natural log) of {@code tokens} predicted tokens. */
    public record Loss(double meanNll, long tokens) {}

    /**
     * Teacher-forced loss over several sequences (each starting with its first token, e.g. BOS, which is not
     * predicted): the mean negative log-likelihood of every other token, all sequences pooled.
     */
    public Loss loss(List<int[]> sequences) {
        double sum = 0;
        long count = 0;
        for (int[] s : sequences) {
            if (s.length < 2) {
                continue;
            }
            int[] continuation = Arrays.copyOfRange(s, 1, s.length);
            sum += meanNll(new int[] {s[0]}, continuation) * continuation.length;
            count += continuation.length;
        }
        if (count == 0) {
            throw new IllegalArgumentException("loss needs a sequence of at least two tokens.");
        }
        return new Loss(sum / count, count);
    }

    /**
     * Teacher-forced loss: the mean negative log-likelihood (natural log) of {@code continuation} following
     * {@code prompt}, the model reading {@code prompt} and {@code continuation} except its last token in one pass.
     */
    public double meanNll(int[] prompt, int[] continuation) {
        if (prompt.length == 0 || continuation.length == 0) {
            throw new IllegalArgumentException("meanNll needs a non-empty prompt and continuation but they have "
                    + prompt.length + " and " + continuation.length + " tokens.");
        }
        int[] inputs = new int[prompt.length + continuation.length - 1];
        System.arraycopy(prompt, 0, inputs, 0, prompt.length);
        System.arraycopy(continuation, 0, inputs, prompt.length, continuation.length - 1);
        Array logits = logits(inputs, newCache());
        int vocab = logits.dim(1);
        Array predicting = Jmlx.slice(logits, new int[] {prompt.length - 1, 0}, new int[] {inputs.length, vocab});
        int[] flatTargets = new int[continuation.length];
        for (int i = 0; i < continuation.length; i++) {
            flatTargets[i] = i * vocab + continuation[i];
        }
        Array targetLogits = Jmlx.take(
                predicting.reshape(continuation.length * vocab),
                Array.of(flatTargets, DType.INT32, continuation.length),
                0);
        Array nll = Jmlx.subtract(Jmlx.logsumexp(predicting, -1, false), targetLogits);
        return Jmlx.mean(nll, 0, false).toFloatArray()[0];
    }
}
