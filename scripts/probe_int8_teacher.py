"""Would 8-bit integer matrix products make the neural teacher fast enough, and close enough?

    .venv/bin/pip install onnxruntime onnx   # the probe's own needs: not dependencies of corrector
    PYTHONPATH=. .venv/bin/python scripts/probe_int8_teacher.py ARTICLE... [--alpha 0.7]
        [--matrices attn_q,attn_k,attn_v,attn_output,ffn_gate,ffn_up,ffn_down] [--no-output] [--no-smooth]

The teacher's time is float32 arithmetic: on this VM's cores numpy runs the model's matrix
products at ~100 GFLOP/s, and they are 70% of a forward pass. The CPU has AVX-512 VNNI, on which
onnxruntime's ``MatMulInteger`` (uint8 activations × int8 weights, int32 sums) runs the same
products 3.5–4× faster. The probe collects the (window, variant) pairs the teacher scores on the
given articles (``corrector correct``'s default path), scores them with the shipped float32
forward, then again with the chosen products in int8: weights quantized per output column,
activations per row (symmetric, zero point 128). With smoothing (SmoothQuant: per input channel
s = max|x|^α / max|w|^(1−α), calibrated on 200 lines of the LM corpus), the scales are folded
exactly into the RMS-norm gains, the value projection and the up projection, so only the
quantization changes. Prints the time of both and how far the int8 gains (log10) are from the
float32 ones.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import corrector.lm.neural as neural
from corrector import Corrector
from corrector.defaults import PROJECT_DIR

MATRICES = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")
CORPUS = PROJECT_DIR / "build" / "corpus" / "news.txt"


class Int8Product:
    """``x @ W`` with W int8 per output column and x uint8 per row, in onnxruntime."""

    __array_priority__ = 1000  # numpy defers ``x @ self`` to __rmatmul__

    def __init__(self, weight: np.ndarray) -> None:
        import onnxruntime
        from onnx import TensorProto, helper, numpy_helper

        scale = np.abs(weight).max(0) / 127.0
        scale[scale == 0] = 1.0
        quantized = np.round(weight / scale).astype(np.int8)
        rows, columns = weight.shape
        nodes = [
            helper.make_node("MatMulInteger", ["xq", "w", "zero"], ["sums"]),
            helper.make_node("Cast", ["sums"], ["floats"], to=TensorProto.FLOAT),
            helper.make_node("Mul", ["xs", "ws"], ["scales"]),
            helper.make_node("Mul", ["floats", "scales"], ["y"]),
        ]
        graph = helper.make_graph(
            nodes, "product",
            [helper.make_tensor_value_info("xq", TensorProto.UINT8, ["M", rows]),
             helper.make_tensor_value_info("xs", TensorProto.FLOAT, ["M", 1])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["M", columns])],
            initializer=[numpy_helper.from_array(quantized, "w"),
                         numpy_helper.from_array(scale[None, :].astype(np.float32), "ws"),
                         numpy_helper.from_array(np.array(128, dtype=np.uint8), "zero")],
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        options = onnxruntime.SessionOptions()
        # One thread each: the teacher's own threads share the cores.
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(model.SerializeToString(), options)

    def __rmatmul__(self, x: np.ndarray) -> np.ndarray:
        scale = np.abs(x).max(1, keepdims=True) / 127.0
        scale[scale == 0] = 1.0
        quantized = (np.rint(x / scale) + 128).astype(np.uint8)
        return self.session.run(None, {"xq": quantized, "xs": scale.astype(np.float32)})[0]


class Recorder:
    """``x @ W`` that keeps the largest |x| of each input channel (calibration)."""

    __array_priority__ = 1000

    def __init__(self, weight: np.ndarray, key: Any, maxima: dict[Any, np.ndarray]) -> None:
        self.weight, self.key, self.maxima = weight, key, maxima

    def __rmatmul__(self, x: np.ndarray) -> np.ndarray:
        self.maxima[self.key] = np.maximum(self.maxima.get(self.key, 0.0), np.abs(x).max(0))
        return x @ self.weight


def calibrate(lm: neural.NeuralLM, texts: list[str]) -> dict[Any, np.ndarray]:
    maxima: dict[Any, np.ndarray] = {}
    layer_of = lm._layer
    lm._layer = lambda layer: {  # type: ignore[method-assign]
        name: Recorder(w, (layer, name), maxima) if name in MATRICES else w
        for name, w in layer_of(layer).items()
    }
    output, lm.output = lm.output, Recorder(lm.output, "output", maxima)
    try:
        sequences = [[lm.bos, *lm.encode(t)][: neural.MAX_TOKENS] for t in texts]
        for i in range(0, len(sequences), 16):
            lm._forward(sequences[i : i + 16])
    finally:
        del lm._layer
        lm.output = output
    return maxima


def smooth(lm: neural.NeuralLM, maxima: dict[Any, np.ndarray], alpha: float) -> None:
    """Fold SmoothQuant scales into the weights: the same function, flatter activations."""
    w = lm.weights = dict(lm.weights)
    group, head_dim = lm.n_head // lm.n_kv_head, lm.head_dim

    def factor(activation: np.ndarray, weight_rows: np.ndarray) -> np.ndarray:
        ratio = np.maximum(activation, 1e-5) ** alpha / np.maximum(weight_rows, 1e-5) ** (1 - alpha)
        return ratio.astype(np.float32)

    for layer in range(lm.n_layer):
        p = f"blk.{layer}."
        qkv = [w[p + n + ".weight"] for n in ("attn_q", "attn_k", "attn_v")]
        s = factor(maxima[(layer, "attn_q")], np.max([np.abs(m).max(1) for m in qkv], 0))
        w[p + "attn_norm.weight"] = w[p + "attn_norm.weight"] / s
        for n in ("attn_q", "attn_k", "attn_v"):
            w[p + n + ".weight"] = w[p + n + ".weight"] * s[:, None]
        # The output projection's input channel (query head h, d) is value channel (h // group, d).
        o = w[p + "attn_output.weight"]
        act = maxima[(layer, "attn_output")].reshape(lm.n_kv_head, group, head_dim).max(1)
        s = factor(act, np.abs(o).max(1).reshape(lm.n_kv_head, group, head_dim).max(1))
        w[p + "attn_v.weight"] = w[p + "attn_v.weight"] / s.reshape(-1)[None, :]
        w[p + "attn_output.weight"] = o * np.repeat(s[:, None, :], group, 1).reshape(-1)[:, None]
        gate, up = w[p + "ffn_gate.weight"], w[p + "ffn_up.weight"]
        s = factor(maxima[(layer, "ffn_gate")], np.maximum(np.abs(gate).max(1), np.abs(up).max(1)))
        w[p + "ffn_norm.weight"] = w[p + "ffn_norm.weight"] / s
        w[p + "ffn_gate.weight"], up = gate * s[:, None], up * s[:, None]
        down = w[p + "ffn_down.weight"]
        s = factor(maxima[(layer, "ffn_down")], np.abs(down).max(1))
        w[p + "ffn_up.weight"], w[p + "ffn_down.weight"] = up / s[None, :], down * s[:, None]
    s = factor(maxima["output"], np.abs(lm.output).max(1))
    w["output_norm.weight"] = w["output_norm.weight"] / s
    lm.output = lm.output * s[:, None]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("articles", nargs="+", type=Path)
    parser.add_argument("--alpha", type=float, default=0.7)
    parser.add_argument("--matrices", default=",".join(MATRICES))
    parser.add_argument("--no-output", action="store_true", help="keep the vocabulary projection in float32")
    parser.add_argument("--no-smooth", action="store_true")
    args = parser.parse_args()

    _, rounds = teacher_calls(args.articles)
    pairs = list(dict.fromkeys(pair for asked in rounds for pair in asked))

    lm = neural.NeuralLM(neural.default_neural_model())
    started = time.perf_counter()
    exact = np.array(lm.gains(pairs))
    exact_time = time.perf_counter() - started

    lm = neural.NeuralLM(neural.default_neural_model())
    if not args.no_smooth:
        lines = CORPUS.read_text(encoding="utf-8").splitlines()
        smooth(lm, calibrate(lm, lines[::997][:200]), args.alpha)
    chosen = [m for m in args.matrices.split(",") if m]
    products = {layer: {n: Int8Product(lm._layer(layer)[n]) for n in chosen} for layer in range(lm.n_layer)}
    layer_of = lm._layer
    lm._layer = lambda layer: {**layer_of(layer), **products[layer]}  # type: ignore[method-assign]
    if not args.no_output:
        lm.output = Int8Product(lm.output)
    lm.gains(pairs[:5])  # onnxruntime's first runs
    started = time.perf_counter()
    approximate = np.array(lm.gains(pairs))
    int8_time = time.perf_counter() - started

    print(f"{len(pairs)} (window, variant) pairs; float32 {exact_time:.2f} s, int8 {int8_time:.2f} s "
          f"({exact_time / int8_time:.2f}x)")
    print_gain_errors(exact, approximate, "int8 − float32")
    return 0


def teacher_calls(articles: list[Path]) -> tuple[Corrector, list[list[tuple[str, str]]]]:
    """The default path's corrector, and the (window, variant) pairs its teacher asked the neural
    LM for on each article (``corrector correct ARTICLE``), one list per call."""
    rounds: list[list[tuple[str, str]]] = []
    gains = neural.NeuralLM.gains

    def recorded(self: neural.NeuralLM, pairs: Any) -> list[float]:
        rounds.append(list(pairs))
        return gains(self, pairs)

    neural.NeuralLM.gains = recorded  # type: ignore[method-assign]
    try:
        corrector = Corrector.load(neural="default")
        for article in articles:
            corrector.correct_feed([article.read_text(encoding="utf-8")], 1)
    finally:
        neural.NeuralLM.gains = gains  # type: ignore[method-assign]
    return corrector, rounds


def print_gain_errors(exact: np.ndarray, approximate: np.ndarray, label: str) -> None:
    """How far approximate gains (log10) are from the shipped ones, and how many of them cross the
    teacher's threshold (3): what an approximate forward pass would change in its decisions."""
    error = np.abs(approximate - exact)
    print(f"|{label}| log10: mean {error.mean():.3f}, median {np.median(error):.3f}, "
          f"90th percentile {np.percentile(error, 90):.3f}, max {error.max():.3f}")
    crossed = int(((exact > 3) != (approximate > 3)).sum())
    print(f"gains on the other side of 3 (the teacher's threshold): {crossed}")


if __name__ == "__main__":
    sys.exit(main())
