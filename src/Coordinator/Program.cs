using Asl.Distributed.Coordinator.Cli;

return AslCommandLine.Run(args, Console.Out, Console.Error);
