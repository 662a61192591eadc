from .extract import app

# guarded: Dask's worker processes are spawned and import the main module again
if __name__ == "__main__":
    app(prog_name="python -m minister_meetings")
