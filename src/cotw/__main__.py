"""`python -m cotw`: the same command line as `cotw`, for environments where the script is not on PATH."""
from cotw.cli import run

if __name__ == "__main__":
    run(prog_name="cotw")
