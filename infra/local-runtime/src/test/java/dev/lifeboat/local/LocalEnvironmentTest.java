package dev.lifeboat.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.local.template.UnresolvableReferenceException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalEnvironmentTest {

    private static final SamTemplate TEMPLATE = SamTemplate.parse("""
            Parameters:
              Secret:
                Type: String
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: a.B::handleRequest
                  MemorySize: 512
                  Environment:
                    Variables:
                      TABLE: !Ref Table
                      TABLE_ARN: !GetAtt Table.Arn
                      MACHINE: !Ref Workflow
                      OTHER_FUNCTION: !GetAtt Fn.Arn
              Table:
                Type: AWS::DynamoDB::Table
              Workflow:
                Type: AWS::Serverless::StateMachine
              Named:
                Type: AWS::Serverless::StateMachine
                Properties:
                  Name: !Sub '${AWS::StackName}-named'
              NeedsSecret:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: a.B::handleRequest
                  Environment:
                    Variables:
                      SECRET: !Ref Secret
            """);

    @Test
    void everyResourceHasALocalName() {
        Map<String, String> refs = LocalEnvironment.refs(TEMPLATE, Map.of("Table", "local-table", "Secret", "s"));
        Map<String, String> environment = LocalEnvironment.forFunction(TEMPLATE.function("Fn").orElseThrow(), refs,
                LocalEnvironment.dynamoDbVariables("http://127.0.0.1:4567"));
        assertEquals("local-table", environment.get("TABLE"));
        assertEquals("arn:aws:dynamodb:us-east-1:000000000000:table/local-table", environment.get("TABLE_ARN"));
        assertEquals("arn:aws:states:us-east-1:000000000000:stateMachine:Workflow", environment.get("MACHINE"));
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:Fn", environment.get("OTHER_FUNCTION"));
        assertEquals("http://127.0.0.1:4567", environment.get("AWS_ENDPOINT_URL_DYNAMODB"));
        assertEquals("us-east-1", environment.get("AWS_REGION"));
        assertEquals("local", environment.get("AWS_ACCESS_KEY_ID"));
        assertEquals("local", environment.get("AWS_SECRET_ACCESS_KEY"));
        assertEquals("Fn", environment.get("AWS_LAMBDA_FUNCTION_NAME"));
        assertEquals("512", environment.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"));
    }

    @Test
    void aNamedStateMachineIsKnownByItsName() {
        Map<String, String> refs = LocalEnvironment.refs(TEMPLATE, Map.of());
        // The same ARN as LocalStateMachine.fromTemplate registers it under, and as functions build it by name.
        assertEquals("arn:aws:states:us-east-1:000000000000:stateMachine:lifeboat-local-named", refs.get("Named"));
        assertEquals("lifeboat-local-named", refs.get("Named.Name"));
    }

    @Test
    void aParameterWithoutValueNamesFunctionVariableAndReference() {
        UnresolvableReferenceException e = assertThrows(UnresolvableReferenceException.class,
                () -> LocalEnvironment.forFunctions(TEMPLATE, LocalEnvironment.refs(TEMPLATE, Map.of()), Map.of()));
        assertEquals("Secret", e.reference());
        assertTrue(e.getMessage().startsWith("Function NeedsSecret, environment variable SECRET: Cannot resolve "
                + "!Ref Secret"), e.getMessage());
    }
}
