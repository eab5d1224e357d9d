def write(ctx):
    (ctx.out / "index.html").write_text("x")
    return ["index.html"]
