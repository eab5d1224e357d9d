"""`python -m cotw`: the same command line as `cotw`, for environments where the script is not on PATH."""
from cotw.cli import app

if __name__ == "__main__":
    app(prog_name="cotw")
