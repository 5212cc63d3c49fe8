'''The parts of an exported script that every task shares: optimiser, weights, options, processes, ``main``.

Kept as plain text that is itself valid Python, so it reads as the script will; ``script.py``
fills in the networks and the settings, and ``loops.py`` the task's ``train`` function.
'''

COMMON = r'''
def load_arrays(*names):
    """Arrays from the data file the explorer wrote beside this script, as tensors."""
    if not DATA.exists():
        raise SystemExit(f"error: no data: {DATA.name} should lie beside this script")
    with np.load(DATA) as data:
        return [torch.from_numpy(data[name]) for name in names]


def make_optimizer(params, lr, betas=None):
    """The document's optimiser with its momentum and weight decay (and Adam's ``betas`` where given), over
    the parameters that learn (a frozen layer's are left out, so weight decay does not shrink them)."""
    params = [p for p in params if p.requires_grad]
    name, momentum, weight_decay = SETTINGS["optimizer"], SETTINGS["momentum"], SETTINGS["weight_decay"]
    adam = {} if betas is None else {"betas": betas}
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay, **adam)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, **adam)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}")


@torch.no_grad()
def initialise(model, scheme, std):
    """The explorer's weight initialisation: weights by ``scheme``, biases zero, normalisation untouched."""
    if scheme == "default":
        return
    norms = (nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm, nn.GroupNorm)
    for name, param in model.named_parameters():
        owner = model.get_submodule(name.rsplit(".", 1)[0]) if "." in name else model
        if param.dim() >= 2:
            if scheme == "xavier":
                nn.init.xavier_uniform_(param)
            elif scheme == "he":
                nn.init.kaiming_normal_(param, nonlinearity="relu")
            else:
                nn.init.normal_(param, 0.0, std)
        elif name.rsplit(".", 1)[-1].startswith("bias") and not isinstance(owner, norms):
            nn.init.zeros_(param)


def freeze(model):
    """The layers the explorer froze (FROZEN): no gradient, no step, running statistics kept."""
    for node_id, layer in model.layers.items():
        if node_id in FROZEN:
            for param in layer.parameters():
                param.requires_grad_(False)
            for part in layer.modules():
                if isinstance(part, nn.modules.batchnorm._BatchNorm):
                    part.momentum = 0.0


def load_weights(model, path, output):
    """The weights of the network ending at ``output``: from ``--save`` of this script, or an nn-explorer checkpoint."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    if isinstance(state, dict) and state.get("format") == "nn-explorer-checkpoint":
        state = state["state_dicts"]
    if output in state:  # weights of several networks, by output node (a checkpoint, or a GAN's --save)
        state = state[output]
    model.load_state_dict(state)


def save_weights(state, path):
    """A state dict (or a dict of them), written whole or not at all."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--steps", type=int, help="train exactly this many steps (overrides --epochs)")
    parser.add_argument("--epochs", type=int, default=SETTINGS["epochs"], help="passes over the training samples")
    parser.add_argument("--lr", type=float, default=SETTINGS["lr"], help="learning rate")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu",
                        help="cpu, cuda or cuda:N (under torchrun each process takes cuda:LOCAL_RANK)")
    parser.add_argument("--seed", type=int, default=SETTINGS["seed"], help="initial weights and sample order")
    parser.add_argument("--load", metavar="PATH", help="start from these weights (from --save, or a checkpoint)")
    parser.add_argument("--save", metavar="PATH", help="write the trained weights (a state dict) here")
    add_task_options(parser)
    return parser.parse_args()


def start_processes(device_name):
    """Under torchrun, join the other processes (gloo on CPU, NCCL on GPU); alone, be rank 0 of 1."""
    device = torch.device(device_name)
    if "WORLD_SIZE" not in os.environ:  # not started by torchrun
        return device, 0, 1
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return device, rank, world
'''

MAIN = r'''
def main():
    args = parse_args()
    device, rank, world = start_processes(args.device)
    torch.manual_seed(args.seed)  # the same initial weights on every process
    train(args, device, rank, world)
    if dist.is_initialized():
        # train() has returned, so no DDP wrapper holds the process group any more: it is torn down here, once
        # every process is done, rather than while Python shuts down (where gloo's threads can abort a process)
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
'''

# A network whose task the script cannot train (why is in NOT_TRAINABLE): its module, and loading weights.
MODULE_ONLY = r'''
def load_weights(model, path, output=OUTPUT):
    """The weights of the network ending at ``output``, from a state dict or an nn-explorer checkpoint."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    if isinstance(state, dict) and state.get("format") == "nn-explorer-checkpoint":
        state = state["state_dicts"]
    if output in state:
        state = state[output]
    model.load_state_dict(state)


def main():
    raise SystemExit(f"error: this script holds {MODEL.__name__} only: {NOT_TRAINABLE}")


if __name__ == "__main__":
    main()
'''
