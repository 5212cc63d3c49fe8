"""``nn-explorer train --record VIEW --gif OUT``: animated GIFs of a run's pictures, and the refusals."""

import math
from pathlib import Path

import pytest
from PIL import Image

from explorer.cli import main
from explorer.export.animation import colour_map, gradient_frame, write_animation
from explorer.export.errors import ExportError
from explorer.export.recording import parse_record

from ..gif_files import gif_frames

PRESETS = Path(__file__).resolve().parents[2] / "presets"



def test_lenet_conv1_maps_over_a_run(tmp_path, capsys):
    out = tmp_path / "conv1.gif"
    steps, frames = 24, 6
    assert main(["train", str(PRESETS / "lenet-shapes.json"), "--steps", str(steps), "--record", "feature_maps:conv1",
                 "--gif", str(out), "--frames", str(frames)]) == 0
    count, sizes = gif_frames(out)
    every = math.ceil(steps / frames)
    assert count == 1 + steps // every  # the initial weights' maps, then one every `every` steps
    assert len(sizes) == 1
    width, height = sizes.pop()
    assert 240 <= max(width, height) <= 480  # conv1's 6 maps of 28x28, enlarged to about 480 pixels
    assert f"{count} frames of {width}×{height} written to {out}" in capsys.readouterr().out


def test_vanishing_sigmoid_gradient_heatmap(tmp_path, capsys):
    out = tmp_path / "gradients.gif"
    assert main(["train", str(PRESETS / "vanishing-sigmoid.json"), "--steps", "40", "--record", "gradients",
                 "--gif", str(out), "--frames", "8"]) == 0
    count, sizes = gif_frames(out)
    assert count == 8
    (width, height), = sizes
    assert height == 11 * (height // 11)  # one band per layer with parameters: fc1..fc10 and out
    with Image.open(out) as image:
        image.seek(count - 1)
        last = image.convert("RGB")
    # The vanishing picture: the first layer's band (top) is darker than the output layer's (bottom).
    top = sum(last.getpixel((width - 3, height // 22 + 2 * height // 11))[:3])
    bottom = sum(last.getpixel((width - 3, height - height // 22)))
    assert top < bottom


def test_unknown_view_is_refused_before_training(tmp_path, capsys):
    status = main(["train", str(PRESETS / "vanishing-sigmoid.json"), "--steps", "5", "--record", "weights",
                   "--gif", str(tmp_path / "x.gif")])
    err = capsys.readouterr()
    assert status == 2
    assert err.err.strip().splitlines() == [
        "error: --record: unknown view 'weights'; choose feature_maps[:NODE] (a layer's maps for the probe sample) "
        "or gradients (the per-layer heatmap)"]
    assert "training" not in err.out


def test_unknown_node_names_the_nodes_that_have_maps(tmp_path, capsys):
    status = main(["train", str(PRESETS / "lenet-shapes.json"), "--steps", "5", "--record", "feature_maps:fc9",
                   "--gif", str(tmp_path / "x.gif")])
    assert status == 2
    line, = capsys.readouterr().err.strip().splitlines()
    assert "no layer 'fc9' with feature maps" in line and "conv1" in line


def test_missing_folder_is_refused_before_training(tmp_path, capsys):
    target = tmp_path / "no-such-folder" / "x.gif"
    status = main(["train", str(PRESETS / "vanishing-sigmoid.json"), "--steps", "5", "--record", "gradients",
                   "--gif", str(target)])
    assert status == 2
    assert capsys.readouterr().err.strip() == f"error: cannot write {target}: the folder {target.parent} does not exist"


def test_record_without_output_and_output_without_record(tmp_path, capsys):
    preset = str(PRESETS / "vanishing-sigmoid.json")
    assert main(["train", preset, "--steps", "5", "--record", "gradients"]) == 2
    assert "--record needs somewhere to write" in capsys.readouterr().err
    assert main(["train", preset, "--steps", "5", "--gif", str(tmp_path / "x.gif")]) == 2
    assert "add --record" in capsys.readouterr().err


def test_write_failure_at_the_end_is_one_line_and_the_run_finished(tmp_path, capsys, monkeypatch):
    # The disk filled (or the folder went) while training: the run still finishes, the failure is named.
    import explorer.export.animation as animation

    def refuse(frames, path, fps):
        raise ExportError(f"cannot write {path}: No space left on device")

    monkeypatch.setattr(animation, "_write_gif", refuse)
    out = tmp_path / "x.gif"
    status = main(["train", str(PRESETS / "vanishing-sigmoid.json"), "--steps", "4", "--record", "gradients",
                   "--gif", str(out)])
    captured = capsys.readouterr()
    assert status == 1
    assert "finished 4 steps" in captured.out
    assert captured.err.strip() == f"error: cannot write {out}: No space left on device"
    assert not out.exists()


def test_write_animation_refuses_unknown_suffix_and_no_frames(tmp_path):
    frame = gradient_frame(colour_map("gray")[:2, :1].astype("float32"), (0.0, 1.0), 1)
    with pytest.raises(ExportError, match="a .gif or an .mp4"):
        write_animation([(1, frame)], tmp_path / "x.png")
    with pytest.raises(ExportError, match="recorded no frames"):
        write_animation([], tmp_path / "x.gif")


def test_parse_record():
    assert parse_record("feature_maps:conv1").node == "conv1"
    assert parse_record("gradients").view == "gradients"
    with pytest.raises(ExportError, match="takes no node"):
        parse_record("gradients:fc1")


@pytest.mark.skipif(__import__("explorer.export.animation", fromlist=["mp4_encoder"]).mp4_encoder() is None,
                    reason="no ffmpeg here: an MP4 is refused with a message instead (tested below)")
def test_mp4_when_ffmpeg_is_installed(tmp_path):
    frame = gradient_frame(colour_map("gray")[:4, :1].astype("float32").repeat(8, axis=1), (0.0, 255.0), 8)
    said = write_animation([(1, frame), (2, frame)], tmp_path / "x.mp4")
    assert said.startswith("2 frames of") and (tmp_path / "x.mp4").stat().st_size > 0


def test_mp4_without_ffmpeg_is_refused_before_training(tmp_path, capsys, monkeypatch):
    import explorer.export.animation as animation

    monkeypatch.setattr(animation, "mp4_encoder", lambda: None)
    status = main(["train", str(PRESETS / "vanishing-sigmoid.json"), "--steps", "5", "--record", "gradients",
                   "--mp4", str(tmp_path / "x.mp4")])
    assert status == 2
    assert capsys.readouterr().err.strip() == (f"error: --mp4 {tmp_path / 'x.mp4'}: an MP4 needs ffmpeg, which is not "
                                              "installed; use --gif instead")
