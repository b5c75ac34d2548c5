"""Fixtures for the live tests: a deterministic fake backend (no torch) and a
real tiny Hugging Face model built on the fly (random weights, word-level
tokenizer, no download)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.live.live_fakes import FakeBackend


@pytest.fixture
def fake_backend() -> FakeBackend:
    return FakeBackend()


TINY_WORDS = ["<unk>", "<pad>", "<eos>", "<|user|>", "<|assistant|>", "\\boxed{", "}",
              "what", "is", "plus", "Final", "Answer", ":", *[str(d) for d in range(10)]]
TINY_TEMPLATE = ("{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }} {% endfor %}"
                 "{% if add_generation_prompt %}<|assistant|> {% endif %}")


def build_tiny_model(path: Path) -> Path:
    """Write a 2-layer LLaMA (hidden 32, random weights) and a word-level
    tokenizer with a chat template to ``path``; returns ``path``."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    tok = Tokenizer(models.WordLevel(vocab={w: i for i, w in enumerate(TINY_WORDS)},
                                     unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece(prefix="##")  # joins words with spaces
    hf_tok = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>",
                                                  pad_token="<pad>", eos_token="<eos>")
    hf_tok.chat_template = TINY_TEMPLATE
    cfg = transformers.LlamaConfig(vocab_size=len(TINY_WORDS), hidden_size=32,
                                   intermediate_size=64, num_hidden_layers=2,
                                   num_attention_heads=4, num_key_value_heads=2,
                                   max_position_embeddings=1024, bos_token_id=2, eos_token_id=2,
                                   pad_token_id=1, tie_word_embeddings=True)
    torch.manual_seed(0)
    transformers.LlamaForCausalLM(cfg).save_pretrained(path)
    hf_tok.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """Directory of the tiny model (built once per test session)."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture
def questions_file(tmp_path) -> Path:
    """Three arithmetic questions in the tiny model's vocabulary."""
    path = tmp_path / "questions.jsonl"
    rows = [{"id": f"q{i}", "question": f"what is {i} plus {i + 1}", "answer": str(2 * i + 1)}
            for i in range(3)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path
