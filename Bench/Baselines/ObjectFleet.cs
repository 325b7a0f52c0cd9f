using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Model;

namespace Mca.Bench.Baselines;

/// <summary>
/// The object-oriented baseline of the handler pipeline: what someone would write without the ECS. A list
/// of machine objects (each a graph of CPU, bank and domain objects), a priority queue of machines by next
/// instant, and the pipeline as a list of <see cref="IHandlerStage"/> objects called per machine, with the
/// policy's rendezvous and recovery behind a virtual <see cref="HandlerStrategy"/>. It uses the same rule
/// kernels (Systems/Xen, Systems/Linux, the poll timer) and the same event-driven algorithm as
/// <see cref="MachineBatch"/>, so the difference measured is data layout and dispatch, not the algorithm.
/// </summary>
internal sealed class ObjectFleet
{
    private readonly PriorityQueue<ObjectMachine, (long TimeNs, int Index)> _agenda;

    public ObjectFleet(MachineSpec spec, HandlerPolicy policy, int firstMachineId, int machineCount, ulong seed, IErrorSource source)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(machineCount);
        if (spec.BankCount > 64)
        {
            throw new ArgumentException($"machine '{spec.Name}' has {spec.BankCount} banks: expected at most 64");
        }

        Spec = spec;
        Policy = policy;
        Seed = seed;
        Source = source;
        Strategy = policy.Rendezvous == RendezvousStyle.TwoRound2009 ? new Rfc2009Strategy() : new XenStrategy();
        var reset = new ResetStage();
        Stages =
        [
            new WakeStage(),
            new ArriveStage(),
            new PollStage(),
            new RendezvousStage(),
            new SeverityStage(),
            reset,
            new RecoverStage(),
            reset,
            new GuestStage(),
            reset,
            new Dom0LogStage(),
        ];
        _agenda = new PriorityQueue<ObjectMachine, (long, int)>(machineCount);
        for (int i = 0; i < machineCount; i++)
        {
            Machines.Add(new ObjectMachine(this, i, firstMachineId + i));
        }

        foreach (var machine in Machines)
        {
            machine.Boot(isReboot: false);
            Schedule(machine);
        }
    }

    public MachineSpec Spec { get; }
    public HandlerPolicy Policy { get; }
    public ulong Seed { get; }
    public IErrorSource Source { get; }
    public HandlerStrategy Strategy { get; }
    public IReadOnlyList<IHandlerStage> Stages { get; }
    public List<ObjectMachine> Machines { get; } = [];
    public List<HandlerEvent> Events { get; } = new(256);
    /// <summary>Stage-list runs so far: one per machine per instant with work (a handler invocation).</summary>
    public long HandlerInvocations { get; private set; }

    /// <summary>Processes every event due before <paramref name="endNs"/>, machine by machine in time order.</summary>
    public void RunUntil(long endNs)
    {
        while (_agenda.TryPeek(out var machine, out var when) && when.TimeNs < endNs)
        {
            _agenda.Dequeue();
            machine.NowNs = when.TimeNs;
            machine.Step();
            HandlerInvocations++;
            Schedule(machine);
        }
    }

    private void Schedule(ObjectMachine machine)
    {
        long next = machine.NextEventNs();
        if (next != long.MaxValue)
        {
            _agenda.Enqueue(machine, (next, machine.Index));
        }
    }
}
