package io.jmlx.kotlin

import io.jmlx.Array
import io.jmlx.nn.Embedding
import io.jmlx.nn.Linear
import io.jmlx.nn.Sequential
import io.jmlx.stream.Device
import io.jmlx.stream.Stream
import kotlinx.coroutines.flow.toList

/**
 * The example the README shows (between the markers), kept compiling and running by
 * [ReadmeKotlinSpec].
 */
object ReadmeExample {
    suspend fun run(): Array {
        // README begin
        val model = Sequential(Embedding(1000, 256), Linear(256, 256), Linear(256, 1000))

        // MLX's nn.quantize: 4 bits everywhere, 8 for the output layer, embedding dense.
        model.quantize(bits = 4, groupSize = 64) { path, m ->
            when {
                path == "layers.2" -> LayerSpec(bits = 8)
                m is Linear -> LayerSpec()
                else -> null
            }
        }

        val tokens = array(1, 2, 3) // int32 token ids
        val logits =
            withStream(Stream.newStream(Device.cpu())) {
                model.forward(tokens).await() // suspends; never blocks a thread
            }

        // Operators broadcast like NumPy; successive outputs as a Flow, each emitted once computed.
        val x = zeros(1, 256) + 0.5f
        val steps = iterate(x, count = 3) { h -> h * 0.5f + 1f }.toList()
        // README end
        check(steps.size == 3)
        return logits
    }
}
