from pathlib import Path

import pytest

from prover_core.config import (
    Config,
    Origin,
    build_config,
    config_layers,
    find_project_config,
    load_config,
    parse_config,
)
from prover_core.errors import ConfigError


def test_defaults_are_the_documented_ones() -> None:
    cfg = Config()
    assert cfg.lean.repl_command == ("lake", "exe", "repl")
    assert cfg.policy.prompt_template == "{state}:::"
    assert cfg.search.width == 4 and cfg.search.depth_reward == 0.0


def test_config_is_frozen() -> None:
    cfg = Config()
    with pytest.raises(Exception, match="frozen"):
        cfg.lean.timeout_s = 3  # type: ignore[misc]


def test_unknown_key_is_named(tmp_path: Path) -> None:
    p = tmp_path / "leanstep.toml"
    p.write_text("[lean]\ntimeout_sec = 5\n")
    with pytest.raises(ConfigError, match=r"lean\.timeout_sec: unknown key"):
        load_config(p, environ={}, use_user_file=False)


def test_unknown_section_is_named() -> None:
    with pytest.raises(ConfigError, match="serach: unknown key"):
        parse_config({"serach": {"width": 2}})


def test_bad_value_is_named(tmp_path: Path) -> None:
    p = tmp_path / "leanstep.toml"
    p.write_text("[search]\nwidth = -1\n")
    with pytest.raises(ConfigError, match=r"search\.width"):
        load_config(p, environ={}, use_user_file=False)


def test_broken_toml_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "leanstep.toml"
    p.write_text("[lean\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(p, environ={}, use_user_file=False)


def test_file_then_env_then_overrides(tmp_path: Path) -> None:
    p = tmp_path / "leanstep.toml"
    p.write_text('[lean]\ntimeout_s = 5\nrepl_command = ["my-repl"]\n[search]\nwidth = 8\n')
    env = {"LEANSTEP_LEAN__TIMEOUT_S": "7", "LEANSTEP_POLICY__BACKEND": "openai"}
    cfg = load_config(p, environ=env, overrides={"search": {"width": 2}}, use_user_file=False)
    assert cfg.lean.timeout_s == 7.0
    assert cfg.lean.repl_command == ("my-repl",)
    assert cfg.policy.backend == "openai"
    assert cfg.search.width == 2


def test_env_override_with_unknown_section_fails() -> None:
    with pytest.raises(ConfigError, match="LEANSTEP_NOPE__X"):
        load_config(None, environ={"LEANSTEP_NOPE__X": "1"}, use_user_file=False)


def test_env_override_with_bad_value_names_key() -> None:
    with pytest.raises(ConfigError, match=r"lean\.timeout_s"):
        load_config(None, environ={"LEANSTEP_LEAN__TIMEOUT_S": "soon"}, use_user_file=False)


def test_user_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "leanstep").mkdir()
    (tmp_path / "leanstep" / "leanstep.toml").write_text("[search]\nexpansions = 9\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert load_config(None, environ={}).search.expansions == 9


def test_find_project_config(tmp_path: Path) -> None:
    (tmp_path / "leanstep.toml").write_text("")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert find_project_config(sub) == tmp_path / "leanstep.toml"


def test_every_setting_has_its_origin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "leanstep").mkdir()
    user = tmp_path / "leanstep" / "leanstep.toml"
    user.write_text("[search]\nexpansions = 9\nwidth = 2\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    project = tmp_path / "leanstep.toml"
    project.write_text("[search]\nwidth = 3\n")
    layers = config_layers(
        project,
        environ={"LEANSTEP_LEAN__TIMEOUT_S": "7"},
        overrides={"policy": {"backend": "openai"}},
        flags={"policy.backend": "--backend"},
    )
    cfg, origins = build_config(layers)
    assert (cfg.search.expansions, cfg.search.width, cfg.lean.timeout_s) == (9, 3, 7.0)
    assert origins["search.expansions"] == Origin("user file", str(user))
    assert origins["search.width"] == Origin("project file", str(project))
    assert origins["lean.timeout_s"] == Origin("environment", "LEANSTEP_LEAN__TIMEOUT_S")
    assert origins["policy.backend"] == Origin("flag", "--backend")
    assert "planner.agents" not in origins  # a default


def test_a_bad_value_is_blamed_on_its_own_source(tmp_path: Path) -> None:
    project = tmp_path / "leanstep.toml"
    project.write_text("[search]\nwidth = 3\n")
    with pytest.raises(ConfigError) as env_err:
        load_config(project, environ={"LEANSTEP_SEARCH__WIDTH": "-2"}, use_user_file=False)
    assert env_err.value.where == "LEANSTEP_SEARCH__WIDTH"
    with pytest.raises(ConfigError) as flag_err:
        load_config(
            project,
            environ={},
            overrides={"policy": {"backend": "x"}},
            flags={"policy.backend": "--backend"},
            use_user_file=False,
        )
    assert flag_err.value.where == "--backend"
    assert str(flag_err.value).startswith("policy.backend: Input should be")


def test_bom_and_bad_encoding(tmp_path: Path) -> None:
    p = tmp_path / "leanstep.toml"
    p.write_bytes(b"\xef\xbb\xbf[search]\nwidth = 5\n")
    assert load_config(p, environ={}, use_user_file=False).search.width == 5
    p.write_bytes(b"[planner]\nmodel = '\xff'\n")
    with pytest.raises(ConfigError, match="not UTF-8 text: byte 0xff at line 2") as err:
        load_config(p, environ={}, use_user_file=False)
    assert err.value.where == str(p)


def test_several_problems_are_one_line() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({"search": {"width": 0, "passes": 0}}, "f.toml")
    assert "\n" not in str(err.value)
    assert str(err.value).endswith("(f.toml)") and "search.passes" in str(err.value)


def test_zero_means_no_memory_limit() -> None:
    cfg = parse_config({"lean": {"memory_limit_mb": 0, "recycle_above_rss_mb": 0}})
    assert cfg.lean.memory_limit_mb is None and cfg.lean.recycle_above_rss_mb is None
    with pytest.raises(ConfigError, match=r"lean\.memory_limit_mb"):
        parse_config({"lean": {"memory_limit_mb": -1}})


def test_default_suggestions_stay_under_the_cap() -> None:
    with pytest.raises(ConfigError, match="suggestions must not exceed max_suggestions"):
        parse_config({"search": {"suggestions": 100}})
    assert parse_config({"search": {"suggestions": 100, "max_suggestions": 128}}).search
