r"""Live models: build replay stores from a served model and run controllers live.

- ``answers``    extract ``\boxed{}`` answers, normalise and grade them;
- ``backend``    the generation interface shared by both backends;
- ``client``     OpenAI-compatible ``/v1/completions`` over HTTP (vLLM, SGLang, llama.cpp);
- ``hf_backend`` an in-process Hugging Face transformers model (CPU, small models);
- ``episode``    :class:`LiveEpisode`, the replay episode API backed by a model;
- ``collect``    build a replay store (plus manifest and raw log) from questions.
"""
