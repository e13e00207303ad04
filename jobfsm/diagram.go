package jobfsm

import "strings"

// Diagram renders a machine's transition table as a Mermaid state diagram:
// one arrow per edge, labelled with its action and, in brackets, its
// guards in the order they are checked. The package documentation embeds
// the job's; a golden test keeps both honest. An unknown machine renders
// as "".
func Diagram(m Machine) string {
	switch m {
	case MachineJob:
		return diagram(jobs)
	case MachineVisit:
		return diagram(visits)
	case MachineAssignment:
		return diagram(assignments)
	}
	return ""
}

func diagram[S ~string, X any](m *machine[S, X]) string {
	var b strings.Builder
	line := func(parts ...string) {
		b.WriteString("    ")
		for _, p := range parts {
			b.WriteString(p)
		}
		b.WriteByte('\n')
	}
	b.WriteString("stateDiagram-v2\n")
	for _, s := range m.initial {
		line("[*] --> ", string(s))
	}
	for _, e := range m.edges {
		label := string(e.Action)
		if len(e.Guards) > 0 {
			gs := make([]string, len(e.Guards))
			for i, g := range e.Guards {
				gs[i] = string(g)
			}
			label += " [" + strings.Join(gs, ", ") + "]"
		}
		line(string(e.From), " --> ", string(e.To), ": ", label)
	}
	for _, s := range m.states {
		if n, ok := m.notes[s]; ok {
			line("note right of ", string(s), ": ", n)
		}
	}
	for _, s := range m.terminal {
		line(string(s), " --> [*]")
	}
	return b.String()
}
