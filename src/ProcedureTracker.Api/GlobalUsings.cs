// Namespaces nearly every door file uses.
global using System.Security.Claims;
global using Microsoft.AspNetCore.Http.HttpResults;
global using NodaTime;
global using NodaTime.Text;
global using ProcedureTracker.Api.Infrastructure;
global using ProcedureTracker.Application;
global using ProcedureTracker.Domain;
global using ProcedureTracker.Data.Organizations;
