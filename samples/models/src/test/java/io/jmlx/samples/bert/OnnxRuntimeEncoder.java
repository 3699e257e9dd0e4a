package io.jmlx.samples.bert;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.Map;

/**
 * The reference sentence embeddings: ONNX Runtime runs the original ONNX file on the given token ids; the token
 * states are pooled as the model is meant to be (mean or {@code [CLS]}) and L2-normalised.
 */
final class OnnxRuntimeEncoder implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final EncoderModel model;

    OnnxRuntimeEncoder(EncoderModel model, Path onnx) throws OrtException {
        this.model = model;
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        this.session = env.createSession(onnx.toString(), options);
    }

    /** The normalised embedding of one sentence's ids. */
    float[] embed(int[] ids) throws OrtException {
        long[][] input = new long[1][ids.length];
        long[][] mask = new long[1][ids.length];
        long[][] types = new long[1][ids.length];
        for (int i = 0; i < ids.length; i++) {
            input[0][i] = ids[i];
            mask[0][i] = 1;
        }
        try (OnnxTensor a = OnnxTensor.createTensor(env, input);
                OnnxTensor b = OnnxTensor.createTensor(env, mask);
                OnnxTensor c = OnnxTensor.createTensor(env, types);
                OrtSession.Result out = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
            float[][] states = ((float[][][]) out.get(0).getValue())[0];
            int d = states[0].length;
            float[] pooled = new float[d];
            if (model.pooling() == EncoderModel.Pooling.CLS) {
                System.arraycopy(states[0], 0, pooled, 0, d);
            } else {
                for (float[] s : states) {
                    for (int j = 0; j < d; j++) {
                        pooled[j] += s[j] / states.length;
                    }
                }
            }
            return Vectors.normalize(pooled);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
