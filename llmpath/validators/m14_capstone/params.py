"""Parameters of the M14 checks, with the documented minimums as defaults (see the M14 README)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SuiteParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_tests: int = Field(5, ge=1, description="passing test functions (parametrized cases of one count once)")
    min_coverage: float = Field(0.8, ge=0.0, le=1.0, description="share of the capstone's statements the tests run")
    mutants: int = Field(20, ge=1, le=100, description="seeded mutants of the capstone's code to run the tests on")
    min_killed: float = Field(0.7, ge=0.0, le=1.0, description="share of the mutants some test must fail on")
    test_timeout_s: float = Field(60.0, gt=0, description="seconds for one run of the tests")


class EvaluateParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_s: float = Field(60.0, gt=0, description="seconds for one call of evaluate(seed), in a fresh process")
    max_logged_seeds: int = Field(8, ge=1, description="distinct seeds in M14 experiment entries that are recomputed")


class BuildsOnParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_s: float = Field(60.0, gt=0, description="seconds for one call of evaluate(seed), in a fresh process")
    min_statements: int = Field(3, ge=1, description="statements a copied function or class must have to count")
    min_similarity: float = Field(
        0.8, gt=0.0, le=1.0, description="similarity of a copy to the original (difflib ratio)"
    )
