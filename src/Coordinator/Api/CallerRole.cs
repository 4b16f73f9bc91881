namespace Asl.Distributed.Coordinator.Api;

/// <summary>Who a call's bearer token says the caller is.</summary>
public enum CallerRole
{
    Worker,
    Client,
}
