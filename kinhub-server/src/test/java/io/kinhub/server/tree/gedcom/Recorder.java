package io.kinhub.server.tree.gedcom;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A handler that keeps everything it is given, for tests to look at. */
final class Recorder implements GedcomHandler {
  final List<GedcomPerson> persons = new ArrayList<>();
  final List<GedcomFamily> families = new ArrayList<>();
  final Map<String, String> notes = new LinkedHashMap<>();
  final List<GedcomWarning> warnings = new ArrayList<>();
  GedcomSummary summary;

  static Recorder read(byte[] gedcom) throws GedcomFormatException, IOException {
    return read(new ByteArrayInputStream(gedcom));
  }

  static Recorder read(InputStream gedcom) throws GedcomFormatException, IOException {
    Recorder recorder = new Recorder();
    recorder.summary = GedcomReader.read(gedcom, recorder);
    return recorder;
  }

  GedcomPerson person(String xref) {
    return persons.stream().filter(p -> xref.equals(p.xref())).findFirst().orElseThrow();
  }

  List<String> warningTexts() {
    return warnings.stream().map(GedcomWarning::toString).toList();
  }

  @Override
  public void person(GedcomPerson person) {
    persons.add(person);
  }

  @Override
  public void family(GedcomFamily family) {
    families.add(family);
  }

  @Override
  public void note(String xref, String text) {
    notes.put(xref, text);
  }

  @Override
  public void warning(GedcomWarning warning) {
    warnings.add(warning);
  }
}
