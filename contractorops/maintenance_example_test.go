package contractorops_test

import (
	"context"
	"fmt"
	"time"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/jobfsm"
)

// A maintenance contract with its own SLA plans a monthly visit; generating
// the visits twice creates them once; when a visit's window opens, the
// engine's task releases it to dispatch as a RECURRING job under the
// contract's SLA.
func ExampleMaintenanceService() {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC) // 09:00 in New York
	eng, err := contractorops.New(memstore.New(), &contractorops.Config{Clock: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	defer eng.Close(ctx)
	org, _ := eng.Organizations.Create(ctx, contractorops.PlatformScope("setup"), "org-acme",
		contractorops.CreateOrganizationInput{Name: "Acme Heating & Plumbing", Type: contractorops.OrgServiceProvider, TimeZone: "America/New_York"})
	manager := contractorops.Scope{OrganizationID: org.ID, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "mo"}, Role: contractorops.RoleManager}
	riverside, _ := eng.Customers.Create(ctx, manager, "cu-1", contractorops.CustomerInput{Name: "Riverside Condos"})

	k, err := eng.Maintenance.CreateContract(ctx, manager, "sc-1", contractorops.CreateContractInput{
		ContractInput: contractorops.ContractInput{
			Name: "Boiler care", Type: contractorops.ContractPreventiveMaintenance, CustomerID: riverside.ID,
			StartDate: jobfsm.Date{Year: 2026, Month: 12, Day: 1}, EndDate: jobfsm.Date{Year: 2027, Month: 11, Day: 30},
			Value: "1200.00", AutoRenew: true, RenewalChangePercent: "3.5",
			SLA: &contractorops.ContractSLA{ResponseHours: 4, ResolutionHours: 24},
		},
		ServiceItems: []contractorops.ServiceItemInput{{Name: "Burner inspection", Frequency: contractorops.FrequencyMonthly, UnitPrice: "100.00"}},
	})
	if err != nil {
		panic(err)
	}
	k, _ = eng.Maintenance.UpdateContractStatus(ctx, manager, "sc-1-on", contractorops.UpdateContractStatusInput{ID: k.ID, Status: contractorops.ContractActive})
	fmt.Println(k.Number, k.Status, "notice on", k.RenewalNoticeDate)

	ten, noon := jobfsm.HM(10, 0), jobfsm.HM(12, 0)
	eng.Maintenance.CreateSchedule(ctx, manager, "sc-1-monthly", contractorops.CreateScheduleInput{ContractID: k.ID, ScheduleInput: contractorops.ScheduleInput{
		Name: "Monthly inspection", Frequency: contractorops.FrequencyMonthly, PreferredDayOfMonth: 31,
		WindowStart: &ten, WindowEnd: &noon,
	}})
	through := jobfsm.Date{Year: 2027, Month: 2, Day: 28}
	for _, key := range []string{"gen-1", "gen-2"} {
		g, _ := eng.Maintenance.GenerateVisits(ctx, manager, key, contractorops.GenerateVisitsInput{ContractID: k.ID, Through: through})
		fmt.Println(key, "created", len(g.Created))
	}

	now = time.Date(2026, 12, 31, 15, 5, 0, 0, time.UTC) // 10:05 in New York
	eng.RunTask(ctx, "maintenance-release", now)
	jobs, _ := eng.Jobs.List(ctx, manager, contractorops.ListJobsInput{Source: jobfsm.SourceRecurring})
	j := jobs.Items[0]
	fmt.Println(j.Number, j.Status(), j.Source, j.SLA.Name, j.SLA.ResponseMinutes)
	// Output:
	// SC-2026-000001 ACTIVE notice on 2027-10-31
	// gen-1 created 3
	// gen-2 created 0
	// JOB-2026-00001 SCHEDULED RECURRING SC-2026-000001 240
}
