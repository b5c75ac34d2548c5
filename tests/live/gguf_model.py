"""A tiny random-weight LLaMA written as a GGUF file, for llama.cpp servers.

The tokenizer is a byte-level BPE ("gpt2" in GGUF terms) over printable ASCII,
space and newline, with a few merges, so llama.cpp's tokenizer is exercised
for real. The same vocabulary and merges are saved as a Hugging Face
tokenizer directory, so the client can tokenise prompts locally with ids that
match the server's. Nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

EOS = "<|endoftext|>"
# Pairs merged in order (GPT-2 byte-level symbols: "Ġ" is the space byte).
MERGES = [("Ġ", "p"), ("l", "u"), ("Ġp", "lu"), ("Ġplu", "s"), ("i", "s"), ("Ġ", "is"),
          ("h", "a"), ("Ġ", "w"), ("Ġw", "ha"), ("Ġwha", "t")]
DIMS = {"n_embd": 64, "n_ff": 128, "n_layer": 2, "n_head": 4, "n_head_kv": 2, "n_ctx": 512}


def _byte_symbol(b: int) -> str:
    """GPT-2's printable stand-in for byte ``b`` (only the bytes used here:
    printable ASCII stands for itself, space and newline are shifted by 256)."""
    return chr(b) if 33 <= b <= 126 else chr(256 + b)


def vocabulary() -> tuple[list[str], list[tuple[str, str]]]:
    """Token strings in id order (bytes, merged tokens, then EOS) and the merges."""
    tokens = [_byte_symbol(b) for b in [10, 32, *range(33, 127)]]
    tokens += [a + b for a, b in MERGES]
    return [*tokens, EOS], list(MERGES)


def write_hf_tokenizer(path: Path) -> Path:
    """Save the same tokenizer in Hugging Face form to directory ``path``; returns it."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    tokens, merges = vocabulary()
    tok = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOS, bos_token=EOS)
    hf.save_pretrained(path)
    return path


def _tensors(rng: np.random.Generator, n_vocab: int) -> dict[str, np.ndarray]:
    """Random LLaMA weights in (out, in) layout, as GGUF names them."""
    d = DIMS
    head_dim = d["n_embd"] // d["n_head"]
    kv = d["n_head_kv"] * head_dim

    def rand(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.5).astype(np.float32)

    out = {"token_embd.weight": rand(n_vocab, d["n_embd"]),
           "output_norm.weight": np.ones(d["n_embd"], np.float32),
           "output.weight": rand(n_vocab, d["n_embd"])}
    for i in range(d["n_layer"]):
        out |= {f"blk.{i}.attn_norm.weight": np.ones(d["n_embd"], np.float32),
                f"blk.{i}.attn_q.weight": rand(d["n_embd"], d["n_embd"]),
                f"blk.{i}.attn_k.weight": rand(kv, d["n_embd"]),
                f"blk.{i}.attn_v.weight": rand(kv, d["n_embd"]),
                f"blk.{i}.attn_output.weight": rand(d["n_embd"], d["n_embd"]),
                f"blk.{i}.ffn_norm.weight": np.ones(d["n_embd"], np.float32),
                f"blk.{i}.ffn_gate.weight": rand(d["n_ff"], d["n_embd"]),
                f"blk.{i}.ffn_up.weight": rand(d["n_ff"], d["n_embd"]),
                f"blk.{i}.ffn_down.weight": rand(d["n_embd"], d["n_ff"])}
    return out


def write_gguf(path: Path, seed: int = 0) -> Path:
    """Write the tiny model (F32, tokenizer included) to ``path``; returns it."""
    import gguf

    tokens, merges = vocabulary()
    d = DIMS
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_name("autotts-tiny-test")
    w.add_context_length(d["n_ctx"])
    w.add_embedding_length(d["n_embd"])
    w.add_block_count(d["n_layer"])
    w.add_feed_forward_length(d["n_ff"])
    w.add_head_count(d["n_head"])
    w.add_head_count_kv(d["n_head_kv"])
    w.add_rope_dimension_count(d["n_embd"] // d["n_head"])
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(len(tokens))
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt-2")  # the GPT-2 split regex, as the HF ByteLevel pre-tokenizer uses
    w.add_token_list(tokens)
    w.add_token_types([gguf.TokenType.NORMAL] * (len(tokens) - 1) + [gguf.TokenType.CONTROL])
    w.add_token_merges([f"{a} {b}" for a, b in merges])
    w.add_bos_token_id(len(tokens) - 1)
    w.add_eos_token_id(len(tokens) - 1)
    w.add_add_bos_token(False)  # prompts go out as plain text-derived ids, no BOS
    for name, arr in _tensors(np.random.default_rng(seed), len(tokens)).items():
        w.add_tensor(name, arr)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path
