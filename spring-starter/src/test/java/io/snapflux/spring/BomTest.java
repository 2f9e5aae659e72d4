package io.snapflux.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The BOM has no parent (so importing it hands users none of our build's versions), which means
 * nothing in Maven keeps it in step with the modules: this test does.
 */
final class BomTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void bom_listsEveryPublishedModule_atTheReactorVersion() throws Exception {
    Document parent = read(ROOT.resolve("pom.xml"));
    String version = child(parent.getDocumentElement(), "version");
    Document bom = read(ROOT.resolve("bom/pom.xml"));

    assertThat(child(bom.getDocumentElement(), "version"))
        .as("bom/pom.xml <version> must equal the parent's")
        .isEqualTo(version);

    Map<String, String> managed = new LinkedHashMap<>();
    Element management = first(bom.getDocumentElement(), "dependencyManagement");
    for (Element dependency : all(first(management, "dependencies"), "dependency")) {
      managed.put(child(dependency, "artifactId"), child(dependency, "version"));
    }

    List<String> published = new ArrayList<>();
    for (Element module : all(first(parent.getDocumentElement(), "modules"), "module")) {
      Path pom = ROOT.resolve(module.getTextContent().trim()).resolve("pom.xml");
      Element project = read(pom).getDocumentElement();
      String artifactId = child(project, "artifactId");
      if (!artifactId.equals("snapflux-bom") && !skipsDeploy(project)) {
        published.add(artifactId);
      }
    }

    assertThat(published).as("published modules").isNotEmpty();
    assertThat(managed.keySet()).as("artifacts the BOM manages")
        .containsExactlyInAnyOrderElementsOf(published);
    assertThat(managed.values()).as("versions in the BOM").containsOnly("${project.version}");
  }

  private static boolean skipsDeploy(Element project) {
    Element properties = first(project, "properties");
    return properties != null && "true".equals(child(properties, "maven.deploy.skip"));
  }

  private static Document read(Path pom) throws Exception {
    assertThat(pom).exists();
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    try (var in = Files.newInputStream(pom)) {
      return factory.newDocumentBuilder().parse(in);
    }
  }

  private static List<Element> all(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        found.add(e);
      }
    }
    return found;
  }

  private static Element first(Element parent, String name) {
    List<Element> found = all(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  private static String child(Element parent, String name) {
    Element e = first(parent, name);
    return e == null ? null : e.getTextContent().trim();
  }
}
