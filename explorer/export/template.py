'''The parts of an exported script that do not depend on the network: data, optimiser, training loop.

Kept as plain text that is itself valid Python, so it reads as the script will; ``script.py``
fills in the network and the settings.
'''

TRAINING = r'''
def load_data():
    """The training and validation samples written beside this script by the explorer."""
    if not DATA.exists():
        raise SystemExit(f"error: no data: {DATA.name} should lie beside this script (the network was exported "
                         "without a dataset that fits its input)")
    with np.load(DATA) as data:
        arrays = [torch.from_numpy(data[k]) for k in ("x_train", "y_train", "x_val", "y_val")]
    return arrays


def make_optimizer(params, optimizer, lr, momentum, weight_decay):
    if optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if optimizer == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if optimizer == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    if optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {optimizer!r}")


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


def load_weights(model, path):
    """Weights from ``--save`` of this script, or from an nn-explorer checkpoint (same keys)."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    if isinstance(state, dict) and state.get("format") == "nn-explorer-checkpoint":
        state = state["state_dicts"][OUTPUT]
    model.load_state_dict(state)


def save_weights(model, path):
    """The state dict, written whole or not at all."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    torch.save(model.state_dict(), tmp)
    os.replace(tmp, path)


def per_position_cross_entropy(out, target, reduction="mean"):
    """Cross-entropy of scores [B, T, C] against classes [B, T]: a class at every position."""
    return F.cross_entropy(out.flatten(0, -2), target.flatten(), reduction=reduction)


LOSSES = {"cross_entropy": F.cross_entropy, "mse": F.mse_loss, "bce": F.binary_cross_entropy,
          "bce_logits": F.binary_cross_entropy_with_logits, "per_position_cross_entropy": per_position_cross_entropy}
CLASSIFYING = LOSS in ("cross_entropy", "per_position_cross_entropy")


@torch.no_grad()
def evaluate(model, x, y, batch_size=512):
    """Mean loss (and accuracy for classification) over all of ``x``, in eval mode."""
    model.eval()
    loss_fn = LOSSES[LOSS]
    loss, correct = 0.0, 0
    for start in range(0, len(x), batch_size):
        xb = x[start:start + batch_size]
        out = model(xb)
        target = xb if RECONSTRUCTION else y[start:start + batch_size]
        if CLASSIFYING:  # per position: the loss and the right tokens shared out over the positions
            loss += loss_fn(out, target, reduction="sum").item() / target[0].numel()
            correct += (out.argmax(-1) == target).sum().item() / target[0].numel()
        else:
            loss += loss_fn(out, target, reduction="sum").item() / out[0].numel()
    model.train()
    return loss / len(x), (correct / len(x) if CLASSIFYING else None)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--steps", type=int, help="train exactly this many steps (overrides --epochs)")
    parser.add_argument("--epochs", type=int, default=SETTINGS["epochs"], help="passes over the training samples")
    parser.add_argument("--lr", type=float, default=SETTINGS["lr"], help="learning rate")
    parser.add_argument("--batch-size", type=int, default=SETTINGS["batch_size"], help="samples per step and process")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu",
                        help="cpu, cuda or cuda:N (under torchrun each process takes cuda:LOCAL_RANK)")
    parser.add_argument("--seed", type=int, default=SETTINGS["seed"], help="initial weights and batch order")
    parser.add_argument("--load", metavar="PATH", help="start from these weights (from --save, or a checkpoint)")
    parser.add_argument("--save", metavar="PATH", help="write the trained weights (a state dict) here")
    return parser.parse_args()


def main():
    args = parse_args()
    if NOT_TRAINABLE:
        raise SystemExit(f"error: {NOT_TRAINABLE}")
    distributed = "WORLD_SIZE" in os.environ  # started by torchrun
    rank, world = 0, 1
    device = torch.device(args.device)
    if distributed:
        rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        if device.type == "cuda":
            device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")

    torch.manual_seed(args.seed)  # the same initial weights on every process
    model = MODEL()
    initialise(model, SETTINGS["init"], SETTINGS["init_std"])
    if args.load:
        load_weights(model, args.load)
    model.to(device)
    x_train, y_train, x_val, y_val = load_data()
    train_set = TensorDataset(x_train, y_train)
    sampler = DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=True, seed=args.seed) \
        if distributed else None
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=sampler is None, sampler=sampler,
                        generator=torch.Generator().manual_seed(args.seed))
    net = DistributedDataParallel(model) if distributed else model
    optimizer = make_optimizer(net.parameters(), SETTINGS["optimizer"], args.lr, SETTINGS["momentum"],
                               SETTINGS["weight_decay"])
    loss_fn = LOSSES[LOSS]
    total = args.steps if args.steps is not None else args.epochs * len(loader)
    if rank == 0:
        print(f"training {MODEL.__name__} on {len(x_train)} samples for {total} steps on {world} process(es), "
              f"{device}", flush=True)

    step, epoch = 0, 0
    net.train()
    while step < total:
        if sampler is not None:
            sampler.set_epoch(epoch)
        for xb, yb in loader:
            xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
            loss = loss_fn(net(xb), xb if RECONSTRUCTION else yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            if rank == 0 and (step % max(1, total // 10) == 0 or step == total):
                print(f"step {step}/{total}  epoch {epoch + 1}  loss {loss.item():.4g}", flush=True)
            if step >= total:
                break
        epoch += 1
        if rank == 0:
            val_loss, val_acc = evaluate(model, x_val.to(device), y_val.to(device))
            accuracy = f"  val_acc {val_acc:.2%}" if val_acc is not None else ""
            print(f"epoch {epoch}: val_loss {val_loss:.4g}{accuracy}", flush=True)

    if rank == 0 and args.save:
        save_weights(model, args.save)
        print(f"weights written to {args.save}", flush=True)
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
'''
