package dev.mergenet.importers.zoo;

import ai.djl.Application;
import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.repository.MRL;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelLoader;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Progress;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import java.nio.file.Path;

/** Loads {@link OnnxModelZoo}'s file: a DJL model on the criteria's device whose block is the imported graph. */
final class OnnxModelLoader implements ModelLoader {
    private final Path file;

    OnnxModelLoader(Path file) {
        this.file = file;
    }

    @Override
    public String getGroupId() {
        return OnnxModelZoo.GROUP_ID;
    }

    @Override
    public String getArtifactId() {
        String name = file.getFileName().toString();
        return name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
    }

    @Override
    public Application getApplication() {
        return Application.UNDEFINED;
    }

    /** No repository behind it: the file is already local. */
    @Override
    public MRL getMrl() {
        return null;
    }

    @Override
    public <I, O> ZooModel<I, O> loadModel(Criteria<I, O> criteria) throws ModelNotFoundException {
        Class<I> in = criteria.getInputClass();
        Class<O> out = criteria.getOutputClass();
        TranslatorFactory factory = criteria.getTranslatorFactory();
        boolean ndLists = (in == null || in == NDList.class) && (out == null || out == NDList.class);
        if (factory == null && !ndLists) {
            throw new ModelNotFoundException(file + ": input " + in.getName() + " and output " + out.getName()
                    + " need a translator (Criteria.Builder.optTranslator); NDList in and out need none");
        }
        if (factory != null && in != null && out != null && !factory.isSupported(in, out)) {
            throw new ModelNotFoundException(
                    file + ": the criteria's translator does not turn " + in.getName() + " into " + out.getName());
        }
        Device device = criteria.getDevice() != null ? criteria.getDevice() : TorchEngine.defaultDevice();
        String name = criteria.getModelName() != null ? criteria.getModelName() : getArtifactId();
        Model model = TorchEngine.newModel(name, device);
        try {
            OnnxGraphBlock block = OnnxImporter.load(file, model.getNDManager());
            model.setBlock(block);
            return new ZooModel<>(model, translator(factory, in, out, model, criteria));
        } catch (RuntimeException | ModelNotFoundException e) {
            model.close();
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private <I, O> Translator<I, O> translator(
            TranslatorFactory factory, Class<I> in, Class<O> out, Model model, Criteria<I, O> criteria)
            throws ModelNotFoundException {
        if (factory == null) {
            return (Translator<I, O>) new NoopTranslator();
        }
        try {
            return factory.newInstance(in, out, model, criteria.getArguments());
        } catch (TranslateException e) {
            throw new ModelNotFoundException(file + ": the criteria's translator failed: " + e.getMessage(), e);
        }
    }

    @Override
    public <I, O> boolean isDownloaded(Criteria<I, O> criteria) {
        return true;
    }

    @Override
    public <I, O> void downloadModel(Criteria<I, O> criteria, Progress progress) {
        // nothing to fetch: the model is a local file
    }

    @Override
    public String toString() {
        return "ONNX import of " + file;
    }
}
