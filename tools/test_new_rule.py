"""Tests of the rule scaffold (tools/new_rule.py) on a copy of the files it edits: it creates
the crate and samples, and adds exactly one line to each registry, in the right place.
The scaffolded rule's building and passing `make test` was checked by hand (CONTRIBUTING.md)."""

import json
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import new_rule  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class ScaffoldTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        for rel in ["Cargo.toml", "crates/config-rules/Cargo.toml", "crates/config-rules/src/catalog.rs"]:
            (self.tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / rel, self.tmp / rel)
        for rule in (ROOT / "crates/rules").iterdir():
            (self.tmp / "crates/rules" / rule.name).mkdir(parents=True)
        (self.tmp / "events").mkdir()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def added(self, rel):
        before = (ROOT / rel).read_text().split("\n")
        after = (self.tmp / rel).read_text().split("\n")
        return [l for l in after if l not in before], after

    def test_a_rule_is_created_and_registered_once_in_each_list(self):
        new_rule.scaffold("lambda-description-set", root=self.tmp)
        crate = self.tmp / "crates/rules/lambda-description-set"
        for f in ["Cargo.toml", "src/lib.rs", "src/main.rs", "template-fixture.yaml", "template-fixture.expected"]:
            self.assertTrue((crate / f).is_file(), f)
        self.assertIn("config_rules_core::runner::run(lambda_description_set::rule)", (crate / "src/main.rs").read_text())
        self.assertIn('id: "lambda-description-set"', (crate / "src/lib.rs").read_text())
        events = self.tmp / "events/lambda-description-set"
        for name in ["compliant", "non_compliant", "deleted", "oversized"]:
            event = json.loads((events / f"{name}.json").read_text())
            self.assertEqual(event["resultToken"], "TESTMODE")
            json.loads(event["invokingEvent"])
            expected = json.loads((events / "expected" / f"{name}.json").read_text())
            self.assertEqual(len(expected), 1)
        lines, after = self.added("Cargo.toml")
        self.assertEqual(lines, ['lambda-description-set = { path = "crates/rules/lambda-description-set" }'])
        lines, after = self.added("crates/config-rules/Cargo.toml")
        self.assertEqual(lines, ["lambda-description-set.workspace = true"])
        # In [dependencies], not among the dev-dependencies.
        self.assertLess(after.index(lines[0]), after.index("[dev-dependencies]"))
        lines, _ = self.added("crates/config-rules/src/catalog.rs")
        self.assertEqual(lines, ["    rule!(lambda_description_set),"])

    def test_bad_ids_and_existing_rules_are_refused(self):
        for bad in ["Lambda", "lambda", "lambda_x", "-x", "lambda-"]:
            with self.assertRaises(SystemExit):
                new_rule.scaffold(bad, root=self.tmp)
        with self.assertRaises(SystemExit):
            new_rule.scaffold("lambda-timeout-within-limit", root=self.tmp)


if __name__ == "__main__":
    unittest.main()
