"""The trivial-callback floor for bench_throughput.py: a minimal Dash app (one button, one
server callback writing a number), built like the product's (`compress=True`, assets served
locally) and served by the same gunicorn command and config. Not part of the product."""

from dash import Dash, Input, Output, html

app = Dash(__name__, compress=True, serve_locally=True, assets_folder="/nonexistent")
app.layout = html.Div([html.Button("floor", id="floor-button"), html.Span(id="floor-out")])


@app.callback(Output("floor-out", "children"), Input("floor-button", "n_clicks"), prevent_initial_call=True)
def floor(n_clicks):
    return str(n_clicks)


server = app.server
