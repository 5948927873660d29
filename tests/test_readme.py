"""The README's promises: it opens with the two commands, CI runs the very same test command,
and its front matter is what a Hugging Face Space needs."""
import re
import subprocess

from conftest import ROOT

README = (ROOT / "README.md").read_text()


def commands_in_readme() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", README)


def test_readme_opens_with_exactly_two_commands_app_then_tests():
    first_two = commands_in_readme()[:2]
    assert first_two[0].endswith("python app.py")
    assert first_two[1].endswith("python -m pytest")
    assert README.index(first_two[1]) < README.index("## ")


def test_ci_runs_the_readme_test_command():
    extracted = subprocess.run(
        ["awk", "/<!-- test-command -->/{getline; getline; print; exit}", "README.md"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert extracted == commands_in_readme()[1]
    assert "<!-- test-command -->" in (ROOT / ".ci" / "run").read_text()


def test_front_matter_describes_a_gradio_space_matching_requirements():
    front = README.split("---")[1]
    fields = dict(line.split(": ", 1) for line in front.strip().splitlines())
    assert fields["sdk"] == "gradio" and fields["app_file"] == "app.py"
    assert fields["python_version"].strip('"') == "3.11"
    pinned = (ROOT / "requirements.txt").read_text()
    assert f"gradio=={fields['sdk_version']}" in pinned
    assert "torch==2.14.1" in pinned and "torchvision==0.29.1" in pinned


def test_digits_table_quotes_the_shipped_cards():
    import json
    table = README.split("<!-- digits-table -->")[1].split("\n\n")[0]
    for name in ["cnn", "lenet5"]:
        row = next(line for line in table.splitlines() if line.startswith(f"| `{name}`"))
        metrics = json.loads((ROOT / "checkpoints" / f"mnist_{name}.json").read_text())["metrics"]
        shown = [float(x) for x in re.findall(r"([\d.]+) %", row)]
        assert shown[0] == round(metrics["mnist_test_accuracy"] * 100, 2), row
        assert shown[1] == round(metrics["drawn_digits"]["held_out_writers_mnist_style"] * 100, 2), row
        assert shown[2] == round(metrics["drawn_digits"]["held_out_writers_browser"] * 100, 2), row
        assert shown[3] == round(metrics["drawn_digits"]["held_out_writers_varied"] * 100, 2), row
