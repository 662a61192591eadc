from .extract import app

app(prog_name="python -m minister_meetings")
