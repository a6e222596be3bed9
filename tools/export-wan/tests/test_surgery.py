"""Tests of the Wan export on tiny stand-ins (tests/tiny.py): python3 -m unittest discover -s tools/export-wan/tests

The exported graphs come from export_tiny.export_all, into a temporary folder, or from
$WAN_EXPORT_TINY_DIR when the caller (packages/plugins/test/wan-export.test.ts) exported them
already. Running them in ONNX Runtime is that vitest test's part (no onnxruntime for Python here).
"""

from __future__ import annotations

import copy
import math
import os
import sys
import tempfile
import unittest
import unittest.mock
from types import SimpleNamespace

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import export_tiny  # noqa: E402
import export_wan  # noqa: E402
import surgery  # noqa: E402
import tiny  # noqa: E402
from modules import FP16_CLAMP, TextEncoderExport, VaceTransformerExport, apply_rope, rope_tables  # noqa: E402
from vae_modules import VaeDecoderExport, VaeDecoderFirstExport, VaeEncoderExport, count_decoder_caches  # noqa: E402


class RopeTest(unittest.TestCase):
    def test_quarter_turn_of_the_first_pair(self):
        x = torch.tensor([[[1.0, 0.0, 3.0, 4.0]]])  # one token, one head, two pairs
        cos = torch.tensor([[0.0, 1.0]])  # pair 0 turns by π/2, pair 1 by 0
        sin = torch.tensor([[1.0, 0.0]])
        self.assertEqual(apply_rope(x, cos, sin).tolist(), [[[0.0, 1.0, 3.0, 4.0]]])

    def test_equals_complex_multiplication_on_adjacent_pairs(self):
        generator = torch.Generator().manual_seed(0)
        batch, tokens, heads, pairs = 2, 5, 3, 4
        x = torch.randn(batch, tokens, heads * 2 * pairs, generator=generator, dtype=torch.float64)
        angles = torch.rand(tokens, pairs, generator=generator, dtype=torch.float64) * 2 * math.pi
        real = apply_rope(x, angles.cos(), angles.sin())
        as_complex = torch.view_as_complex(x.reshape(batch, tokens, heads, pairs, 2))
        expected = torch.view_as_real(as_complex * torch.polar(torch.ones_like(angles), angles)[None, :, None]).reshape(
            batch, tokens, -1
        )
        self.assertLess((real - expected).abs().max().item(), 1e-12)

    def test_tables_match_the_complex_frequencies_and_plain_loops(self):
        cos, sin = rope_tables(3, 2, 4)
        freqs = tiny.complex_rope(3, 2, 4, 128)
        self.assertEqual(cos.shape, (24, 64))
        np.testing.assert_allclose(cos, freqs.real.numpy(), atol=1e-6)
        np.testing.assert_allclose(sin, freqs.imag.numpy(), atol=1e-6)
        loop_cos, loop_sin = tiny.rope_tables(3, 2, 4, 128)
        np.testing.assert_allclose(cos, loop_cos, atol=1e-6)
        np.testing.assert_allclose(sin, loop_sin, atol=1e-6)
        # Token (f=2, y=1, x=3), pair 22 (the first row pair) turns by y = 1 radian (§4.7).
        self.assertAlmostEqual(float(cos[(2 * 2 + 1) * 4 + 3, 22]), math.cos(1.0), places=6)


class TransformerWrapperTest(unittest.TestCase):
    def test_equals_the_model_with_complex_rope_and_plain_attention(self):
        model = export_tiny.build_transformer()
        inputs, expected = export_tiny.transformer_case(model, 2, 3, 4, 6)
        wrapper = VaceTransformerExport(copy.deepcopy(model))
        self.assertEqual(wrapper.attention_count, 6)  # 3 blocks × (self, cross)
        with torch.no_grad():
            got = wrapper(*inputs)
        self.assertEqual(tuple(got.shape), (2, 16, 3, 4, 6))
        self.assertLess((got - expected).abs().max().item(), 1e-4)


class VaeWrapperTest(unittest.TestCase):
    def setUp(self):
        self.vae = export_tiny.build_vae()
        self.generator = torch.Generator().manual_seed(7)

    def test_single_pass_encoder_equals_the_chunked_encode(self):
        encoder = VaeEncoderExport(copy.deepcopy(self.vae))
        for frames in (1, 5, 13):
            video = torch.rand(1, 3, frames, 16, 24, generator=self.generator) * 2 - 1
            with torch.no_grad():
                got = encoder(video)
            expected = self.vae.encode_mean(video)
            self.assertEqual(tuple(got.shape), (1, 16, (frames - 1) // 4 + 1, 2, 3))
            self.assertLess((got - expected).abs().max().item(), 1e-5, f"{frames} frames")

    def test_first_and_steady_graphs_equal_the_chunked_decode(self):
        latent = torch.randn(1, 16, 3, 2, 3, generator=self.generator)
        caches = count_decoder_caches(copy.deepcopy(self.vae), latent[:, :, :1])
        self.assertEqual(caches, 32)
        first = VaeDecoderFirstExport(copy.deepcopy(self.vae), caches)
        steady = VaeDecoderExport(copy.deepcopy(self.vae), caches)
        with torch.no_grad():
            out = first(latent[:, :, :1])
            frames = [out[0]]
            for i in (1, 2):
                out = steady(latent[:, :, i : i + 1], *out[1:])
                frames.append(out[0])
        self.assertEqual([f.shape[2] for f in frames], [1, 4, 4])
        self.assertLess((torch.cat(frames, dim=2) - self.vae.decode(latent)).abs().max().item(), 1e-6)

    def test_first_chunk_caches_are_padded_to_two_frames(self):
        latent = torch.randn(1, 16, 1, 2, 3, generator=self.generator)
        with torch.no_grad():
            caches = VaeDecoderFirstExport(copy.deepcopy(self.vae), 32)(latent)[1:]
        self.assertTrue(all(c.shape[2] == 2 for c in caches))
        self.assertTrue(all(c[:, :, 0].abs().max() == 0 for c in caches))
        # The temporal upsamplers' slots (11 and 18 in Wan's layout, docs/models/wan.md §6.5) are all zeros.
        self.assertEqual([i for i, c in enumerate(caches) if c.abs().max() == 0], [11, 18])


class TextWrapperTest(unittest.TestCase):
    def test_clamps_every_residual_layer(self):
        wrapper = TextEncoderExport(export_tiny.build_text())
        self.assertEqual(wrapper.layer_count, 4)  # 2 blocks × (attention, feed-forward)
        layer = wrapper.encoder.encoder.block[0].layer[1]
        with torch.no_grad():
            out = layer(torch.full((1, 3, 16), 1e6))
        self.assertEqual(out.max().item(), FP16_CLAMP)


def export_dir() -> str:
    given = os.environ.get("WAN_EXPORT_TINY_DIR")
    if given:
        return given
    ExportedGraphsTest.scratch = tempfile.TemporaryDirectory()
    export_tiny.export_all(ExportedGraphsTest.scratch.name)
    return ExportedGraphsTest.scratch.name


def elem_types(model: onnx.ModelProto) -> dict[str, int]:
    """Element type of every value of a converted graph (its fp16 attention outputs declared)."""
    probe = copy.deepcopy(model)
    for node in probe.graph.node:
        if node.op_type == "MultiHeadAttention":
            probe.graph.value_info.append(helper.make_tensor_value_info(node.output[0], TensorProto.FLOAT16, None))
    graph = onnx.shape_inference.infer_shapes(probe).graph
    types = {t.name: t.data_type for t in graph.initializer}
    for value in [*graph.input, *graph.output, *graph.value_info]:
        types[value.name] = value.type.tensor_type.elem_type
    return types


class ExportedGraphsTest(unittest.TestCase):
    scratch = None

    @classmethod
    def setUpClass(cls):
        cls.dir = export_dir()
        cls.contracts = surgery.load_contracts(export_tiny.CONTRACTS)["parts"]
        cls.manifest_graphs = {
            "transformer_fp32": "transformer",
            "transformer_fp16": "transformer",
            "text_encoder_fp32": "textEncoder",
            "text_encoder_fp16": "textEncoder",
            "vae_encoder_fp32": "vaeEncoder",
            "vae_decoder_first_fp32": "vaeDecoderFirst",
            "vae_decoder_fp32": "vaeDecoder",
        }

    @classmethod
    def tearDownClass(cls):
        if cls.scratch is not None:
            cls.scratch.cleanup()

    def path(self, graph: str) -> str:
        """<dir>/<id>/<id>_<precision>.onnx, as export_wan.py writes it."""
        model_id = self.contracts[self.manifest_graphs[graph]]["id"]
        return os.path.join(self.dir, model_id, f"{model_id}_{graph.rsplit('_', 1)[1]}.onnx")

    def load(self, graph: str, data: bool = False) -> onnx.ModelProto:
        return onnx.load(self.path(graph), load_external_data=data)

    def test_every_graph_has_its_contract_io(self):
        for graph, part in self.manifest_graphs.items():
            self.assertEqual(surgery.check_contract(self.path(graph), self.contracts[part]), [], graph)
        first = self.load("vae_decoder_first_fp32")
        self.assertEqual([o.name for o in first.graph.output][:3], ["frames", "cache_out_0", "cache_out_1"])
        latent = self.load("transformer_fp32").graph.input[0]
        dims = [d.dim_param or d.dim_value for d in latent.type.tensor_type.shape.dim]
        self.assertEqual(dims, ["batch", 16, "frames", "height", "width"])

    def test_the_contract_check_reports_differences(self):
        contract = copy.deepcopy(self.contracts["transformer"])
        contract["inputs"][4]["name"] = "cos"
        contract["inputs"][2]["dims"][1] = 77
        contract["outputs"][0]["type"] = "int64"
        problems = surgery.check_contract(self.path("transformer_fp32"), contract)
        self.assertEqual(len(problems), 3, problems)

    def test_weights_are_in_one_data_file_beside_the_graph(self):
        for graph in self.manifest_graphs:
            model = self.load(graph)
            data_path = self.path(graph) + ".data"
            size = os.path.getsize(data_path)
            self.assertGreater(len(model.graph.initializer), 0)
            for tensor in model.graph.initializer:
                entries = {e.key: e.value for e in tensor.external_data}
                self.assertEqual(tensor.data_location, TensorProto.EXTERNAL, tensor.name)
                self.assertEqual(entries["location"], os.path.basename(data_path))
                self.assertFalse(tensor.raw_data)
                self.assertLessEqual(int(entries["offset"]) + int(entries["length"]), size)
        folders = [name for _, dirs, _ in os.walk(self.dir) for name in dirs]
        self.assertFalse([n for n in folders if n.startswith("export-")], "scratch folders left behind")

    def test_attention_is_one_multi_head_attention_node_per_attention(self):
        for graph in ("transformer_fp32", "transformer_fp16"):
            nodes = self.load(graph).graph.node
            mha = [n for n in nodes if n.op_type == "MultiHeadAttention"]
            self.assertEqual(len(mha), 6, graph)
            self.assertTrue(all(n.domain == "com.microsoft" for n in mha))
            self.assertEqual({helper.get_attribute_value(n.attribute[0]) for n in mha}, {2})
            self.assertEqual([n for n in nodes if n.op_type == "Softmax"], [])
        imports = {o.domain: o.version for o in self.load("transformer_fp16").opset_import}
        self.assertEqual(imports, {"": 17, "com.microsoft": 1})

    def test_fp16_graph_keeps_io_float32_and_fp32_islands(self):
        model = self.load("transformer_fp16")
        for value in [*model.graph.input, *model.graph.output]:
            self.assertEqual(value.type.tensor_type.elem_type, TensorProto.FLOAT, value.name)
        types = elem_types(model)
        inits = {t.name: t.data_type for t in model.graph.initializer}

        def by_scope(part):
            return [n for n in model.graph.node if f"/{part}/" in n.name and n.op_type != "Constant"]

        for node in model.graph.node:
            if node.op_type == "MultiHeadAttention":
                self.assertEqual({types[i] for i in node.input}, {TensorProto.FLOAT16}, node.name)
            if node.op_type == "MatMul" and node.input[1] in inits:
                self.assertEqual(inits[node.input[1]], TensorProto.FLOAT16, node.name)
        for part in ("norm1", "rope", "qk_norm", "time_embedder"):
            nodes = by_scope(part)
            self.assertTrue(nodes, part)
            for node in nodes:
                for name in node.input:
                    if types.get(name) in (TensorProto.FLOAT, TensorProto.FLOAT16):
                        self.assertEqual(types[name], TensorProto.FLOAT, f"{node.name} input {name}")
        tables = [t for t in model.graph.initializer if t.dims and list(t.dims)[-2:] == [6, 256]]
        self.assertEqual({t.data_type for t in tables}, {TensorProto.FLOAT})  # modulation tables stay fp32

    def test_fp16_text_encoder_keeps_the_position_buckets_exact(self):
        model = self.load("text_encoder_fp16")
        types = elem_types(model)
        logs = [n for n in model.graph.node if n.op_type == "Log"]
        self.assertEqual(len(logs), 2)  # one bucket computation per layer
        self.assertTrue(all(types[n.input[0]] == TensorProto.FLOAT for n in logs))
        clips = [n for n in model.graph.node if n.op_type == "Clip"]
        self.assertEqual(len(clips), 4)


class CliTest(unittest.TestCase):
    """export_wan.main's wiring: diffusers/transformers loaders replaced, exporters recorded (export_all runs them)."""

    def test_loads_each_part_from_its_subfolder_and_exports_it(self):
        loaders = {
            "transformer": _Loader("transformer"),
            "vae": _Loader("vae"),
            "text": _Loader("text"),
        }
        fakes = {
            "diffusers": SimpleNamespace(
                WanVACETransformer3DModel=loaders["transformer"], AutoencoderKLWan=loaders["vae"]
            ),
            "transformers": SimpleNamespace(UMT5EncoderModel=loaders["text"]),
        }
        exported = []

        def recorder(name):
            def record(model, out, contracts, *rest):
                exported.append((name, model, out, rest))
                return []

            return record

        with (
            tempfile.TemporaryDirectory() as out,
            unittest.mock.patch.dict(sys.modules, fakes),
            unittest.mock.patch.object(export_wan, "export_text", recorder("text")),
            unittest.mock.patch.object(export_wan, "export_transformer", recorder("transformer")),
            unittest.mock.patch.object(export_wan, "export_vae", recorder("vae")),
            unittest.mock.patch("sys.stdout"),
        ):
            args = ["--checkpoint", out, "--out", out, "--precision", "fp32", "--width", "480", "--height", "832"]
            code = export_wan.main(args)
            self.assertEqual(code, 0)
            self.assertEqual(loaders["text"].calls[0][0], (os.path.join(out, "text_encoder"),))
            self.assertEqual(loaders["transformer"].calls[0][1]["subfolder"], "transformer")
            self.assertEqual(loaders["vae"].calls[0][1]["subfolder"], "vae")
            self.assertEqual(
                [(name, model, rest) for name, model, _, rest in exported],
                [("text", "text", ("fp32",)), ("transformer", "transformer", ("fp32",)), ("vae", "vae", ((832, 480),))],
            )

    def test_rejects_sizes_the_vae_cannot_take(self):
        for extra in (["--frames", "80"], ["--height", "472"]):
            with self.assertRaises(SystemExit), unittest.mock.patch("sys.stderr"):
                export_wan.parse_args(["--checkpoint", HERE, "--out", HERE, *extra])


class _Loader:
    def __init__(self, model) -> None:
        self.model = model
        self.calls = []

    def from_pretrained(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return self.model


class SaveExternalTest(unittest.TestCase):
    def test_converts_marked_weights_and_clips_them_to_the_fp16_range(self):
        weight = np.array([[1.5, -1e6], [70000.0, 0.25]], dtype=np.float32)
        bias = np.array([0.5, 1.0], dtype=np.float32)
        graph = helper.make_graph(
            [helper.make_node("MatMul", ["x", "w"], ["y0"]), helper.make_node("Add", ["y0", "b"], ["y"])],
            "g",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])],
            [numpy_helper.from_array(weight, "w"), numpy_helper.from_array(bias, "b")],
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "m.onnx")
            data = surgery.save_external(model, path, "", {"w"})
            self.assertEqual(data, path + ".data")
            loaded = onnx.load(path)
            arrays = {t.name: numpy_helper.to_array(t) for t in loaded.graph.initializer}
        self.assertEqual(arrays["w"].dtype, np.float16)
        self.assertEqual(arrays["w"].tolist(), [[1.5, -65504.0], [65504.0, 0.25]])
        self.assertEqual(arrays["b"].dtype, np.float32)
        self.assertEqual(arrays["b"].tolist(), [0.5, 1.0])


if __name__ == "__main__":
    unittest.main()
