'''The training loop of an exported script, one per task, doing what the explorer's objective does.

Each is plain text that is valid Python, defining ``add_task_options(parser)`` and
``train(args, device, rank, world)``; ``script.py`` puts the document's one after the shared parts
(``template.py``). The losses are those of ``explorer/training/objectives``: cross-entropy or MSE
for supervised learning, MSE or BCE against the input for reconstruction, the non-saturating BCE
on logits for a GAN, cross-entropy over the labelled nodes for node classification.
'''

MINI_BATCHES = r'''
def per_position_cross_entropy(out, target, reduction="mean"):
    """Cross-entropy of scores [B, T, C] against classes [B, T]: a class at every position."""
    return F.cross_entropy(out.flatten(0, -2), target.flatten(), reduction=reduction)


LOSSES = {"cross_entropy": F.cross_entropy, "mse": F.mse_loss, "bce": F.binary_cross_entropy,
          "bce_logits": F.binary_cross_entropy_with_logits, "per_position_cross_entropy": per_position_cross_entropy}
CLASSIFYING = LOSS in ("cross_entropy", "per_position_cross_entropy")


def add_task_options(parser):
    parser.add_argument("--batch-size", type=int, default=SETTINGS["batch_size"], help="samples per step and process")


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


def train(args, device, rank, world):
    """Mini-batches of the training samples against their targets (the samples themselves for an autoencoder).

    Under torchrun the model is wrapped in DistributedDataParallel: each process takes its own share of every
    epoch's samples (DistributedSampler) and DDP averages the gradients, so a step learns from world x
    batch-size samples. Rank 0 validates, prints and saves.
    """
    model = MODEL()
    initialise(model, SETTINGS["init"], SETTINGS["init_std"])
    freeze(model)
    if args.load:
        load_weights(model, args.load, OUTPUT)
    model.to(device)
    x_train, y_train, x_val, y_val = load_arrays("x_train", "y_train", "x_val", "y_val")
    train_set = TensorDataset(x_train, y_train)
    distributed = dist.is_initialized()
    sampler = DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=True, seed=args.seed) \
        if distributed else None
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=sampler is None, sampler=sampler,
                        generator=torch.Generator().manual_seed(args.seed))
    net = DistributedDataParallel(model) if distributed else model
    optimizer = make_optimizer(net.parameters(), args.lr)
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
        save_weights(model.state_dict(), args.save)
        print(f"weights written to {args.save}", flush=True)
'''

ADVERSARIAL = r'''
GAN_BETAS = (0.5, 0.999)  # Adam's betas for both networks, as in DCGAN
VALIDATION_SAMPLES = 1000


def add_task_options(parser):
    parser.add_argument("--batch-size", type=int, default=SETTINGS["batch_size"],
                        help="real (and generated) samples per step and process")
    parser.add_argument("--d-steps", type=int, default=SETTINGS["d_steps"],
                        help="discriminator steps per generator step")


def bce(logits, value):
    """Binary cross-entropy of logits against the label ``value`` for every sample (1 real, 0 generated)."""
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, value))


@torch.no_grad()
def evaluate(generator, discriminator, x_val, noise):
    """Both losses on the validation samples against as many generated from fixed noise, in eval mode."""
    generator.eval()
    discriminator.eval()
    fake_logits = discriminator(generator(noise))
    real_logits = discriminator(x_val)
    g_loss = bce(fake_logits, 1.0)
    d_loss = bce(real_logits, 1.0) + bce(fake_logits, 0.0)
    generator.train()
    discriminator.train()
    return g_loss.item(), d_loss.item()


def train(args, device, rank, world):
    """A GAN: a generator makes samples from noise, a discriminator tells them from the real ones.

    Every step is ``--d-steps`` discriminator steps (a real batch against a generated one), then one generator
    step, each network with its own optimiser. The losses are the non-saturating ones with binary cross-entropy
    on logits: the discriminator's BCE(D(x), 1) + BCE(D(G(z)), 0), the generator's BCE(D(G(z)), 1).

    Under torchrun both networks are wrapped in DistributedDataParallel: each process takes its own share of
    the real samples (DistributedSampler) and draws its own noise, and DDP averages each network's gradients
    over the processes. Rank 0 validates, prints and saves both networks' weights.
    """
    generator = GENERATOR()
    initialise(generator, SETTINGS["init"], SETTINGS["init_std"])
    freeze(generator)
    discriminator = DISCRIMINATOR()
    initialise(discriminator, SETTINGS["init"], SETTINGS["init_std"])
    freeze(discriminator)
    if args.load:
        load_weights(generator, args.load, G_OUTPUT)
        load_weights(discriminator, args.load, D_OUTPUT)
    generator.to(device)
    discriminator.to(device)
    x_train, x_val = load_arrays("x_train", "x_val")
    x_val = x_val[:VALIDATION_SAMPLES].to(device)
    distributed = dist.is_initialized()
    sampler = DistributedSampler(x_train, num_replicas=world, rank=rank, shuffle=True, seed=args.seed) \
        if distributed else None
    loader = DataLoader(x_train, batch_size=args.batch_size, shuffle=sampler is None, sampler=sampler,
                        generator=torch.Generator().manual_seed(args.seed))
    # DDP averages gradients in backward; the generator's step below calls the bare discriminator, so only
    # the generator's gradients are averaged then (the discriminator's weights are frozen for it)
    g_net = DistributedDataParallel(generator) if distributed else generator
    d_net = DistributedDataParallel(discriminator) if distributed else discriminator
    betas = GAN_BETAS if SETTINGS["optimizer"] in ("adam", "adamw") else None
    g_optimizer = make_optimizer(g_net.parameters(), args.lr, betas)
    d_optimizer = make_optimizer(d_net.parameters(), args.lr, betas)
    rng = torch.Generator().manual_seed(args.seed + 1000 * rank)  # each process its own noise and extra batches
    fixed_noise = torch.randn((len(x_val), *NOISE_SHAPE), generator=torch.Generator().manual_seed(args.seed + 1))
    fixed_noise = fixed_noise.to(device)

    def noise(n):
        return torch.randn((n, *NOISE_SHAPE), generator=rng).to(device)

    total = args.steps if args.steps is not None else args.epochs * len(loader)
    if rank == 0:
        print(f"training {GENERATOR.__name__} against {DISCRIMINATOR.__name__} on {len(x_train)} samples for "
              f"{total} steps on {world} process(es), {device}", flush=True)
    step, epoch = 0, 0
    while step < total:
        if sampler is not None:
            sampler.set_epoch(epoch)
        for real in loader:
            n = len(real)
            for k in range(args.d_steps):
                if k > 0:  # further discriminator steps draw further real batches
                    real = x_train[torch.randint(len(x_train), (n,), generator=rng)]
                with torch.no_grad():
                    fake = generator(noise(n))
                d_loss = bce(d_net(real.to(device)), 1.0) + bce(d_net(fake), 0.0)
                d_optimizer.zero_grad(set_to_none=True)
                d_loss.backward()
                d_optimizer.step()
            # the generator's step: gradients flow through D to G, but D's weights are left alone
            discriminator.requires_grad_(False)
            g_loss = bce(discriminator(g_net(noise(n))), 1.0)
            g_optimizer.zero_grad(set_to_none=True)
            g_loss.backward()
            g_optimizer.step()
            discriminator.requires_grad_(True)
            step += 1
            if rank == 0 and (step % max(1, total // 10) == 0 or step == total):
                print(f"step {step}/{total}  epoch {epoch + 1}  generator loss {g_loss.item():.4g}  "
                      f"discriminator loss {d_loss.item():.4g}", flush=True)
            if step >= total:
                break
        epoch += 1
        if rank == 0:
            g_val, d_val = evaluate(generator, discriminator, x_val, fixed_noise)
            print(f"epoch {epoch}: val generator loss {g_val:.4g}  val discriminator loss {d_val:.4g}", flush=True)

    if rank == 0 and args.save:
        save_weights({G_OUTPUT: generator.state_dict(), D_OUTPUT: discriminator.state_dict()}, args.save)
        print(f"weights written to {args.save} (both networks, by output node)", flush=True)
'''

NODE_CLASSIFICATION = r'''
def add_task_options(parser):
    pass  # every step sees the whole graph: there is no batch size


@torch.no_grad()
def evaluate(model, x, adjacency, y, nodes):
    """Loss and accuracy on ``nodes`` (the unlabelled ones validate), the whole graph run in eval mode."""
    model.eval()
    out = model(x, adjacency)[nodes]
    model.train()
    return F.cross_entropy(out, y[nodes]).item(), (out.argmax(1) == y[nodes]).float().mean().item()


def train(args, device, rank, world):
    """Node classification on one graph (Kipf & Welling): every step runs the network over all nodes with the
    normalised adjacency, and the loss is the cross-entropy over the labelled nodes only. One step is one epoch.

    Under torchrun the graph is not split, since every node needs its neighbours: each process runs the whole
    graph and takes the loss of its own share of the labelled nodes, summed and scaled so that DDP's average of
    the gradients over the processes is the gradient of the mean over all labelled nodes. A step on N
    processes is then the same step as on one. Rank 0 validates, prints and saves.
    """
    features, labels, edges, train_mask, val_mask = load_arrays("features", "labels", "edges", "train_mask",
                                                                "val_mask")
    adjacency = normalised_adjacency(edges, len(features)).to(device)
    x, y = features.to(device), labels.to(device)
    labelled = torch.nonzero(train_mask).flatten().to(device)
    validate = torch.nonzero(val_mask).flatten().to(device)
    mine = labelled[rank::world]  # this process's share of the labelled nodes
    model = MODEL()
    initialise(model, SETTINGS["init"], SETTINGS["init_std"])
    freeze(model)
    if args.load:
        load_weights(model, args.load, OUTPUT)
    model.to(device)
    net = DistributedDataParallel(model) if dist.is_initialized() else model
    optimizer = make_optimizer(net.parameters(), args.lr)
    total = args.steps if args.steps is not None else args.epochs
    if rank == 0:
        print(f"training {MODEL.__name__} on a graph of {len(x)} nodes ({len(labelled)} labelled) for {total} steps "
              f"on {world} process(es), {device}", flush=True)
    net.train()
    for step in range(1, total + 1):
        out = net(x, adjacency)
        loss = F.cross_entropy(out[mine], y[mine], reduction="sum") * world / len(labelled)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if rank == 0 and (step % max(1, total // 10) == 0 or step == total):
            train_loss = F.cross_entropy(out.detach()[labelled], y[labelled]).item()  # over every labelled node
            val_loss, val_acc = evaluate(model, x, adjacency, y, validate)
            print(f"step {step}/{total}  loss {train_loss:.4g}  val_loss {val_loss:.4g}  val_acc {val_acc:.2%}",
                  flush=True)

    if rank == 0 and args.save:
        save_weights(model.state_dict(), args.save)
        print(f"weights written to {args.save}", flush=True)
'''

LOOPS = {"supervised": MINI_BATCHES, "reconstruction": MINI_BATCHES, "sequence": MINI_BATCHES, "adversarial": ADVERSARIAL,
         "node_classification": NODE_CLASSIFICATION}
